import { AuthConfigError } from '../errors.js';
import { assertKnownKeys, optionKeys } from '../lib/option-checks.js';

/**
 * Where asymmetric signatures are checked (the verifier's `signatureVerification` option).
 *
 * - `{ offloadWhenInFlight: n }`, the default with `n = 2`: on the event loop while fewer than
 *   `n` fresh verifications (tokens not in the verified-token cache) are in flight in this
 *   verifier, the current one included; on libuv's thread pool from `n` on, so that overlapping
 *   verifications use the other cores. A caller that verifies one token at a time keeps the
 *   synchronous path and its latency.
 * - `'sync'`: always on the event loop (one core; no thread-pool hop).
 * - `'async'`: always on the thread pool (a hop of some microseconds for each fresh token).
 *
 * The thread pool has `UV_THREADPOOL_SIZE` threads (default 4), shared with `fs`, `dns.lookup`
 * and `zlib`: set it to at least the number of cores in the process's environment before start.
 * HMAC (`HS*`) is always checked on the event loop: it costs less than the hop. Cached tokens
 * never reach this step.
 */
export type SignatureVerification = 'sync' | 'async' | { readonly offloadWhenInFlight?: number };

/** Default of `offloadWhenInFlight`: offload as soon as two fresh verifications overlap. */
export const DEFAULT_OFFLOAD_WHEN_IN_FLIGHT = 2;

const OFFLOAD_OPTIONS = optionKeys<{ readonly offloadWhenInFlight?: number }>({ offloadWhenInFlight: true });

/**
 * Counts a verifier's fresh verifications in flight and says, per signature, whether to check it
 * on the event loop or on the thread pool. Both paths give the same answer for the same input.
 */
export class SignatureScheduler {
  /** Offload from this many fresh verifications in flight on: 0 always, `Infinity` never. */
  readonly offloadWhenInFlight: number;
  #inFlight = 0;

  constructor(offloadWhenInFlight: number) {
    this.offloadWhenInFlight = offloadWhenInFlight;
  }

  /** Fresh verifications started and not finished, for health checks and tests. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** True when the signature being checked now should go to the thread pool. */
  get offload(): boolean {
    return this.#inFlight >= this.offloadWhenInFlight;
  }

  /** A fresh verification starts; call {@link SignatureScheduler.finished} once it ends, however. */
  started(): void {
    this.#inFlight++;
  }

  finished(): void {
    this.#inFlight--;
  }
}

/** Signatures always on the event loop: `verifyCompactJws` and every caller without a verifier. */
export const SYNCHRONOUS_SIGNATURES = new SignatureScheduler(Number.POSITIVE_INFINITY);

/** @throws {AuthConfigError} naming `signatureVerification` */
export function compileSignatureVerification(option: SignatureVerification | undefined): SignatureScheduler {
  if (option === undefined) return new SignatureScheduler(DEFAULT_OFFLOAD_WHEN_IN_FLIGHT);
  if (option === 'sync') return new SignatureScheduler(Number.POSITIVE_INFINITY);
  if (option === 'async') return new SignatureScheduler(0);
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new AuthConfigError(
      'signatureVerification',
      "expected 'sync', 'async' or { offloadWhenInFlight: 2 } (the default)",
    );
  }
  assertKnownKeys('signatureVerification', option, OFFLOAD_OPTIONS);
  const threshold = option.offloadWhenInFlight ?? DEFAULT_OFFLOAD_WHEN_IN_FLIGHT;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new AuthConfigError(
      'signatureVerification.offloadWhenInFlight',
      "expected a whole number of at least 1 (default 2); use 'sync' to never offload",
    );
  }
  return new SignatureScheduler(threshold);
}
