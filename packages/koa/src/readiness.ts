import { type ReadinessSource, readinessResponse, readinessSource } from '@org/auth-core/adapter';
import type { Middleware } from 'koa';

/**
 * A readiness route for Kubernetes-style probes: 200 once the verifier has usable keys for every
 * issuer, else 503 with `Retry-After` while a key fetch starts in the background. The body is the
 * verifier's `health()`.
 *
 * @example router.get('/ready', readiness(verifier))
 * @throws {AuthConfigError} when not given a verifier
 */
export function readiness(verifier: ReadinessSource): Middleware {
  const source = readinessSource(verifier);
  return (ctx) => {
    const { status, headers, body } = readinessResponse(source);
    ctx.status = status;
    ctx.set({ ...headers });
    ctx.body = body;
  };
}
