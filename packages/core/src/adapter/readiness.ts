import { AuthConfigError } from '../errors.js';
import type { Verifier, VerifierHealth } from '../verifier/verifier.js';

/** What a readiness probe reads: a verifier, or anything with its `health()` and `ready()`. */
export type ReadinessSource = Pick<Verifier, 'health' | 'ready'>;

/** The answer to a readiness probe; the adapter sends it as it is. */
export interface ReadinessResponse {
  readonly status: 200 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: VerifierHealth;
}

/** Seconds a probe that found no keys suggests waiting before the next one. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Checks `source` once, when the readiness route is declared.
 *
 * @throws {AuthConfigError} when it has no `health()` and `ready()` (pass the verifier)
 */
export function readinessSource(source: unknown): ReadinessSource {
  const candidate = source as Partial<ReadinessSource> | undefined;
  if (typeof candidate?.health !== 'function' || typeof candidate.ready !== 'function') {
    throw new AuthConfigError('readiness', 'expected the verifier: readiness(createVerifier(...))');
  }
  return candidate as ReadinessSource;
}

/**
 * The answer to a Kubernetes-style readiness probe: 200 when every issuer has usable keys, else
 * 503 with `Retry-After`, and a key fetch started in the background (never awaited, and bound by
 * the key source's own back-off), so that a service becomes ready without waiting for traffic.
 * The body is the verifier's `health()`: issuers, key counts and the last fetch error, no secret.
 */
export function readinessResponse(source: ReadinessSource): ReadinessResponse {
  const health = source.health();
  if (health.ready) return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: health };
  source.ready().catch(() => {
    // The failure is in health() and in the keys_fetch_failed event; the probe answers now.
  });
  return {
    status: 503,
    headers: { 'Cache-Control': 'no-store', 'Retry-After': String(RETRY_AFTER_SECONDS) },
    body: health,
  };
}
