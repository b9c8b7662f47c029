import type { Authorizer } from '@org/auth-core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { reject } from './respond.js';

/** A hook usable as `onRequest` or `preHandler`, at application or route level. */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** A route hook around one check; `keep` stores what it resolves to as `request.resource`. */
export function routeCheck(check: (request: FastifyRequest) => Promise<unknown>, keep: boolean): AuthHook {
  return async (request, reply) => {
    try {
      const value = await check(request);
      if (keep) request.resource = value;
    } catch (error) {
      return reject(error, request, reply);
    }
  };
}

/** A route hook around a core authorizer; its resource becomes `request.resource`. */
export function authorizeRoute(check: Authorizer<FastifyRequest>): AuthHook {
  return routeCheck(
    (request) => check(request.auth ?? undefined, request, request.raw, request.authState?.authenticator),
    true,
  );
}
