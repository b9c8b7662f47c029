import { type ReadinessSource, readinessResponse, readinessSource } from '@org/auth-core/adapter';
import type { RouteHandlerMethod } from 'fastify';

/**
 * A readiness route for Kubernetes-style probes: 200 once the verifier has usable keys for every
 * issuer, else 503 with `Retry-After` while a key fetch starts in the background. The body is the
 * verifier's `health()`.
 *
 * @example app.get('/ready', readiness(verifier))
 * @throws {AuthConfigError} when not given a verifier
 */
export function readiness(verifier: ReadinessSource): RouteHandlerMethod {
  const source = readinessSource(verifier);
  return async (_request, reply) => {
    const { status, headers, body } = readinessResponse(source);
    return reply.code(status).headers(headers).send(body);
  };
}
