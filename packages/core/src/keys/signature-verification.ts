import { availableParallelism } from 'node:os';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { AuthConfigError } from '../errors.js';
import { assertKnownKeys, optionKeys } from '../lib/option-checks.js';
import { isHmacAlgorithm } from './node-signature.js';

/**
 * Where asymmetric signatures are checked (the verifier's `signatureVerification` option).
 *
 * - `{ offloadWhenInFlight: 2, offloadWhenLoopBusy: 0.7 }`, the default: on the event loop while
 *   it has idle time and fewer than 2 fresh verifications are in flight; on libuv's thread pool
 *   when fresh verifications overlap or the loop is busy 70% of the time or more, so that a
 *   server under load uses the other cores. A caller that verifies one token at a time keeps the
 *   synchronous path and its latency. Left out, on a machine or container with one core
 *   (`os.availableParallelism()`), it is `'sync'`.
 * - `'sync'`: always on the event loop (one core; no thread-pool hop).
 * - `'async'`: always on the thread pool (a hop of some microseconds for each fresh token).
 *
 * The thread pool has `UV_THREADPOOL_SIZE` threads (default 4), shared with `fs`, `dns.lookup`
 * and `zlib`: set it to at least the number of cores in the process's environment before start.
 * HMAC (`HS*`) is always checked on the event loop: it costs less than the hop. Cached tokens
 * never reach this step.
 */
export type SignatureVerification =
  | 'sync'
  | 'async'
  | {
      /**
       * Offload once this many fresh verifications (tokens not in the verified-token cache) are
       * in flight in this verifier, the current one included. A whole number of at least 1;
       * default 2.
       */
      readonly offloadWhenInFlight?: number;
      /**
       * Offload while the event loop was busy at least this share of the time (above 0, at most
       * 1) since the previous sample, sampled at most every 100 ms; `false` ignores how busy the
       * loop is. Default 0.7. This is the signal of a server under load: its requests each finish
       * their synchronous verification before the next starts, so they never overlap, but the
       * loop has no idle time left.
       */
      readonly offloadWhenLoopBusy?: number | false;
    };

/** The automatic form of {@link SignatureVerification}. */
type SignatureOffload = Exclude<SignatureVerification, string>;

/** Default of `offloadWhenInFlight`: offload as soon as two fresh verifications overlap. */
export const DEFAULT_OFFLOAD_WHEN_IN_FLIGHT = 2;
/** Default of `offloadWhenLoopBusy`: offload while the event loop is busy 70% of the time or more. */
export const DEFAULT_OFFLOAD_WHEN_LOOP_BUSY = 0.7;
/** The shortest window over which the event loop's utilization is measured. */
const LOOP_SAMPLE_MS = 100;
/**
 * How long a busy loop stops counting as a reason to offload after offloading for that reason
 * brought no overlap: the caller was verifying one token at a time, and gains nothing from the hop.
 */
const NO_OVERLAP_PAUSE_MS = 1000;

const OFFLOAD_OPTIONS = optionKeys<SignatureOffload>({
  offloadWhenInFlight: true,
  offloadWhenLoopBusy: true,
});

/** How many signatures a verifier has checked where (see `VerifierHealth.signatures`). */
export interface SignatureChecks {
  /** Checked synchronously on the event loop (HMAC included). */
  readonly eventLoop: number;
  /** Checked on libuv's thread pool. */
  readonly threadPool: number;
}

/** How the scheduler reads the clock and the event loop's utilization (replaced in tests). */
export interface LoopMeter {
  /** Milliseconds, monotonic. */
  now(): number;
  /** A cumulative sample of the loop's idle and active time. */
  sample(): EventLoopUtilization;
  /** The share of time the loop was busy between two samples, 0 to 1. */
  busyBetween(current: EventLoopUtilization, previous: EventLoopUtilization): number;
}

const EVENT_LOOP: LoopMeter = {
  now: () => performance.now(),
  sample: () => performance.eventLoopUtilization(),
  busyBetween: (current, previous) => performance.eventLoopUtilization(current, previous).utilization,
};

/**
 * Counts a verifier's fresh verifications in flight, samples how busy the event loop is, and
 * says, per signature, whether to check it on the event loop or on the thread pool. Both paths
 * give the same answer for the same input.
 */
export class SignatureScheduler {
  /** Offload from this many fresh verifications in flight on: 0 always, `Infinity` never. */
  readonly offloadWhenInFlight: number;
  /** Offload while the loop's utilization is at least this; `Infinity` never. */
  readonly offloadWhenLoopBusy: number;
  #inFlight = 0;
  #onEventLoop = 0;
  #onThreadPool = 0;
  /** The most fresh verifications in flight at once since the latest sample. */
  #peak = 0;
  readonly #meter: LoopMeter;
  #sampledAt = Number.NEGATIVE_INFINITY;
  #sample: EventLoopUtilization | undefined;
  #busy = false;
  /** Until then, a busy loop is no reason to offload (see `NO_OVERLAP_PAUSE_MS`). */
  #pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    offloadWhenInFlight: number,
    offloadWhenLoopBusy = Number.POSITIVE_INFINITY,
    meter: LoopMeter = EVENT_LOOP,
  ) {
    this.offloadWhenInFlight = offloadWhenInFlight;
    this.offloadWhenLoopBusy = offloadWhenLoopBusy;
    this.#meter = meter;
  }

  /** Fresh verifications started and not finished, for health checks and tests. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Signatures checked so far on the event loop and on the thread pool, for `health()` and metrics. */
  get checked(): SignatureChecks {
    return { eventLoop: this.#onEventLoop, threadPool: this.#onThreadPool };
  }

  /**
   * Decides where the signature of an `alg` token is checked now (true: on the thread pool), and
   * counts it. HMAC (`HS*`) always stays on the event loop: it costs less than the hop.
   */
  place(alg: string): boolean {
    const offload = !isHmacAlgorithm(alg) && (this.#inFlight >= this.offloadWhenInFlight || this.loopBusy);
    if (offload) this.#onThreadPool++;
    else this.#onEventLoop++;
    return offload;
  }

  /**
   * Whether the event loop was busy at least `offloadWhenLoopBusy` of the time between the two
   * latest samples. Sampled here, at most every 100 ms, so an idle verifier costs nothing.
   *
   * A server under load that moves its signatures to the pool soon has several verifications in
   * flight (each request's waits while the next one starts), and offloads for that reason from
   * then on. When a window offloaded for a busy loop and no verifications overlapped, the caller
   * was verifying one token at a time with nothing else to do: the hop only added latency, so a
   * busy loop is ignored for the next second.
   */
  get loopBusy(): boolean {
    if (this.offloadWhenLoopBusy === Number.POSITIVE_INFINITY) return false;
    const meter = this.#meter;
    const now = meter.now();
    if (now - this.#sampledAt < LOOP_SAMPLE_MS) return this.#busy;
    const current = meter.sample();
    if (this.#busy && this.#peak < this.offloadWhenInFlight) this.#pausedUntil = now + NO_OVERLAP_PAUSE_MS;
    this.#busy =
      this.#sample !== undefined &&
      now >= this.#pausedUntil &&
      meter.busyBetween(current, this.#sample) >= this.offloadWhenLoopBusy;
    this.#sample = current;
    this.#sampledAt = now;
    this.#peak = this.#inFlight;
    return this.#busy;
  }

  /** A fresh verification starts; call {@link SignatureScheduler.finished} once it ends, however. */
  started(): void {
    if (++this.#inFlight > this.#peak) this.#peak = this.#inFlight;
  }

  finished(): void {
    this.#inFlight--;
  }
}

/** Signatures always on the event loop: `verifyCompactJws` and every caller without a verifier. */
export const SYNCHRONOUS_SIGNATURES = new SignatureScheduler(Number.POSITIVE_INFINITY);

const EXPECTED =
  "expected 'sync', 'async' or { offloadWhenInFlight: 2, offloadWhenLoopBusy: 0.7 } (the default)";

/**
 * @param cores what the process may use (`os.availableParallelism()`): with one, the default
 *   never offloads, since the pool's threads would only take turns with the event loop.
 * @throws {AuthConfigError} naming `signatureVerification`
 */
export function compileSignatureVerification(
  option: SignatureVerification | undefined,
  cores: number = availableParallelism(),
): SignatureScheduler {
  if (option === undefined) {
    if (cores < 2) return new SignatureScheduler(Number.POSITIVE_INFINITY);
    return new SignatureScheduler(DEFAULT_OFFLOAD_WHEN_IN_FLIGHT, DEFAULT_OFFLOAD_WHEN_LOOP_BUSY);
  }
  if (option === 'sync') return new SignatureScheduler(Number.POSITIVE_INFINITY);
  if (option === 'async') return new SignatureScheduler(0);
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new AuthConfigError('signatureVerification', EXPECTED);
  }
  assertKnownKeys('signatureVerification', option, OFFLOAD_OPTIONS);
  const threshold = option.offloadWhenInFlight ?? DEFAULT_OFFLOAD_WHEN_IN_FLIGHT;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new AuthConfigError(
      'signatureVerification.offloadWhenInFlight',
      "expected a whole number of at least 1 (default 2); use 'sync' to never offload",
    );
  }
  const busy = option.offloadWhenLoopBusy ?? DEFAULT_OFFLOAD_WHEN_LOOP_BUSY;
  if (busy !== false && (typeof busy !== 'number' || !(busy > 0 && busy <= 1))) {
    throw new AuthConfigError(
      'signatureVerification.offloadWhenLoopBusy',
      'expected a share of time above 0 and at most 1 (default 0.7), or false to ignore how busy the event loop is',
    );
  }
  return new SignatureScheduler(threshold, busy === false ? Number.POSITIVE_INFINITY : busy);
}
