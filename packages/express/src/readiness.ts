import { type ReadinessSource, readinessResponse, readinessSource } from '@org/auth-core/adapter';
import type { RequestHandler } from 'express';

/**
 * A readiness route for Kubernetes-style probes: 200 once the verifier has usable keys for every
 * issuer, else 503 with `Retry-After` while a key fetch starts in the background. The body is the
 * verifier's `health()`.
 *
 * @example app.get('/ready', readiness(verifier))
 * @throws {AuthConfigError} when not given a verifier
 */
export function readiness(verifier: ReadinessSource): RequestHandler {
  const source = readinessSource(verifier);
  return (_req, res) => {
    const { status, headers, body } = readinessResponse(source);
    res.status(status).set(headers).json(body);
  };
}
