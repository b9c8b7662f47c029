import { rejectionResponse } from '@org/auth-core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Answers a rejection as the request's authentication asked; anything else is rethrown. */
export function reject(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const response = rejectionResponse(error, request.authState ?? undefined);
  if (response === undefined) throw error;
  return reply.code(response.status).headers(response.headers).send(response.body);
}
