import { AuthConfigError } from '@org/auth-core';

/**
 * Where a store says what it found out about Redis (today: whether Redis keeps its data across a
 * restart). `console` and a pino logger fit as they are; each method is called with one line of
 * text, which never holds a token, a secret or a key.
 *
 * @example
 * ```ts
 * new RedisRevocationStore({ client, logger: console });
 * new RedisRevocationStore({ client, logger: pino().child({ component: 'revocation' }) });
 * ```
 */
export interface RedisStoreLogger {
  /** Revocations or one-time ids would not survive a Redis restart. */
  warn(message: string): void;
  /** Whether they would could not be determined (`CONFIG` refused, as on most managed Redis). */
  info(message: string): void;
  /** They would; or the check is postponed because Redis did not answer. */
  debug(message: string): void;
}

const LEVELS = ['warn', 'info', 'debug'] as const;

/** `value` when it is undefined or has the methods of a {@link RedisStoreLogger}. @throws {AuthConfigError} */
export function loggerOption(value: unknown): RedisStoreLogger | undefined {
  if (value === undefined) return undefined;
  const missing =
    typeof value === 'object' && value !== null
      ? LEVELS.filter((level) => typeof (value as Record<string, unknown>)[level] !== 'function')
      : LEVELS;
  if (missing.length > 0) {
    throw new AuthConfigError(
      'logger',
      `expected an object with warn, info and debug methods, such as console or a pino logger (missing: ${missing.join(', ')})`,
    );
  }
  return value as RedisStoreLogger;
}

/** Calls `logger[level](message)`; a throwing logger never changes what a store answers. */
export function log(logger: RedisStoreLogger, level: (typeof LEVELS)[number], message: string): void {
  try {
    logger[level](message);
  } catch {
    // Logging is best effort.
  }
}
