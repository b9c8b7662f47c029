import { type Duration, parseDuration } from '@org/auth-core';
import { optionKeys } from '@org/auth-core/adapter';
import { AuthConfigError } from '../errors.js';
import { checkOptions } from './options.js';

/** Retry settings for transient failures (5xx, 429, timeouts, network errors). */
export interface RetryOptions {
  /** Attempts in total, first included. Default `3`; `1` disables retries. */
  readonly attempts?: number;
  /** Base delay of the exponential back-off. Default `'200ms'`. */
  readonly minDelay?: Duration;
  /** Largest delay between two attempts. Default `'5s'`. */
  readonly maxDelay?: Duration;
}

/** Compiled retry settings, in milliseconds. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

const RETRY_OPTIONS = optionKeys<RetryOptions>({ attempts: true, minDelay: true, maxDelay: true });

/** Validates retry options, naming `option` on error. */
export function compileRetry(options: RetryOptions | undefined, option: string): RetryPolicy {
  if (options !== undefined) {
    checkOptions(
      option,
      options,
      RETRY_OPTIONS,
      "an object such as { attempts: 3, minDelay: '200ms', maxDelay: '5s' }",
    );
  }
  const attempts = options?.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
    throw new AuthConfigError(`${option}.attempts`, 'expected an integer from 1 to 10');
  }
  const minDelayMs = parseDuration(options?.minDelay ?? '200ms', `${option}.minDelay`) * 1000;
  const maxDelayMs = parseDuration(options?.maxDelay ?? '5s', `${option}.maxDelay`) * 1000;
  if (maxDelayMs < minDelayMs)
    throw new AuthConfigError(`${option}.maxDelay`, 'must not be less than minDelay');
  return { attempts, minDelayMs, maxDelayMs };
}

/**
 * Delay before retry number `retry` (1-based): exponential back-off with "full jitter", a random
 * value between `minDelay` and `min(maxDelay, minDelay * 2^retry)`, so callers do not retry in step.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** retry);
  return policy.minDelayMs + random() * (ceiling - policy.minDelayMs);
}

/** Back-off between failed refreshes of a cached token, in milliseconds. */
export interface CooldownPolicy {
  /** The first wait's upper bound. */
  readonly baseMs: number;
  /** The largest wait. */
  readonly maxMs: number;
}

/**
 * Wait after the `failures`-th failure in a row: `base × 2^(failures - 1)`, at most `max`, minus a
 * random part of up to half of it ("equal jitter"). Unlike {@link backoffDelay}'s full jitter the
 * shortest possible wait doubles too, so a failing endpoint sees fewer and fewer attempts however
 * the dice fall, while callers in many replicas still spread out.
 */
export function cooldownDelay(
  policy: CooldownPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return ceiling - (random() * ceiling) / 2;
}
