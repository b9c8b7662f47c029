import { AuthConfigError } from '../errors.js';
import type { AuthEvent, AuthEventListener } from '../events.js';

/**
 * Where the verifier reports what operators must see: any object with `warn`, and optionally
 * `info` and `debug`, called as `logger.warn(fields, message)`, the shape of pino, Fastify's
 * `app.log` and `console`.
 */
export interface AuthLogger {
  /** Configuration-looking failures: untrusted issuer, unknown `kid`, keys unreachable or unusable. */
  warn(fields: object, message: string): void;
  /** Not used by the verifier today; accepted so that any pino-shaped logger fits. */
  info?(fields: object, message: string): void;
  /** Other rejections and key refreshes. */
  debug?(fields: object, message: string): void;
}

/** How often one cause is reported again after its first report, in milliseconds. */
export const LOG_REPEAT_INTERVAL_MS = 60_000;
/** How many distinct causes are remembered; the oldest is forgotten beyond it. */
export const LOG_MAX_CAUSES = 256;

/**
 * Validates the `logger` option.
 *
 * @throws {AuthConfigError} when it is not an object with a `warn` method, or `info`/`debug` are not methods
 */
export function compileLogger(option: string, value: unknown): AuthLogger | undefined {
  if (value === undefined) return undefined;
  const shape =
    'expected an object with warn(), info() and debug() methods, such as console or a pino logger';
  if (typeof value !== 'object' || value === null || typeof (value as AuthLogger).warn !== 'function') {
    throw new AuthConfigError(option, shape);
  }
  for (const level of ['info', 'debug'] as const) {
    const method = (value as AuthLogger)[level];
    if (method !== undefined && typeof method !== 'function')
      throw new AuthConfigError(`${option}.${level}`, shape);
  }
  return value as AuthLogger;
}

type Level = 'warn' | 'info' | 'debug';
interface Report {
  readonly level: Level;
  /** What makes two events the same cause, e.g. the code and the issuer found. */
  readonly cause: string;
  readonly message: string;
}

/**
 * What an event says to an operator: configuration-looking failures (an untrusted issuer, an
 * unknown `kid`, an algorithm not accepted, a key server that cannot be reached, a key set with
 * no usable key) are warnings; other rejections and key refreshes are debug lines; acceptances
 * are not logged.
 */
function reportOf(event: AuthEvent): Report | undefined {
  switch (event.type) {
    case 'accepted':
      return undefined;
    case 'rejected': {
      const explained = event.detail === undefined ? '' : `: ${event.detail.explanation}`;
      const found = event.detail?.found === undefined ? '' : JSON.stringify(event.detail.found);
      const warn = WARNINGS[event.code];
      return warn === undefined
        ? {
            level: 'debug',
            cause: `${event.code}|${event.issuer ?? ''}`,
            message: `rejected ${event.code}${explained}`,
          }
        : {
            level: 'warn',
            cause: `${event.code}|${event.issuer ?? ''}|${found}`,
            message: `${warn}${explained}`,
          };
    }
    case 'keys_fetch_failed':
      return {
        level: 'warn',
        cause: `keys_fetch_failed|${event.issuer}|${event.reason}`,
        message: `keys of ${event.issuer} could not be fetched: ${event.reason}${event.servingStaleKeys ? ' (older keys keep serving)' : ''}`,
      };
    case 'keys_refreshed':
      if (event.keys === 0) {
        return {
          level: 'warn',
          cause: `no_usable_keys|${event.issuer}`,
          message: `no key of ${event.issuer} is usable with the configured algorithms${event.skipped.length === 0 ? '' : ` (skipped: ${event.skipped.join('; ')})`}`,
        };
      }
      return {
        level: 'debug',
        cause: `keys_refreshed|${event.issuer}`,
        message: `keys of ${event.issuer} loaded: ${event.keys}`,
      };
    default:
      return undefined;
  }
}

const WARNINGS: Partial<Record<string, string>> = {
  invalid_issuer: 'untrusted issuer',
  unknown_key: 'unknown signing key',
  unsupported_algorithm: 'algorithm not accepted',
  keys_unavailable: 'verification keys unavailable',
};

/**
 * An event listener that reports to `logger`: each distinct cause once, at once, then at most
 * once per {@link LOG_REPEAT_INTERVAL_MS} with the number of times it happened since. Remembers
 * at most {@link LOG_MAX_CAUSES} causes, so a flood of distinct ones cannot grow memory. The
 * logger never throws into a request: its errors are ignored.
 */
export function createLogSink(logger: AuthLogger, now: () => number): AuthEventListener {
  const seen = new Map<string, { last: number; suppressed: number }>();
  return (event) => {
    const report = reportOf(event);
    if (report === undefined) return;
    const at = now();
    const earlier = seen.get(report.cause);
    if (earlier !== undefined && at - earlier.last < LOG_REPEAT_INTERVAL_MS) {
      earlier.suppressed++;
      return;
    }
    const suppressed = earlier?.suppressed ?? 0;
    seen.delete(report.cause);
    if (seen.size >= LOG_MAX_CAUSES) seen.delete(seen.keys().next().value as string);
    seen.set(report.cause, { last: at, suppressed: 0 });
    const message =
      suppressed === 0 ? report.message : `${report.message} (${suppressed} more since the last report)`;
    try {
      logger[report.level]?.call(logger, { authEvent: event }, message);
    } catch {
      // A logging failure must not turn into an authentication decision.
    }
  };
}
