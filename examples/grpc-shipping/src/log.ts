import type { AuthEvent } from '@org/auth-core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Writes one JSON object per line to stdout: `{ time, level, service, msg, ...fields }`. */
export type Logger = (level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>) => void;

export function createLogger(service: string): Logger {
  return (level, msg, fields = {}) => {
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields })}\n`,
    );
  };
}

/**
 * The verifier's audit hook (`onEvent`): one line per accepted or rejected call, and per key
 * refresh. Events carry no token, key or secret, so they can be logged as they are.
 */
export function auditLog(log: Logger): (event: AuthEvent) => void {
  return ({ type, ...fields }) => {
    if (type === 'accepted') log('info', 'call accepted', { event: type, ...fields });
    else if (type === 'rejected') log('warn', 'call rejected', { event: type, ...fields });
    else if (type === 'keys_fetch_failed')
      log('warn', 'could not fetch signing keys', { event: type, ...fields });
    else log('info', 'signing keys refreshed', { event: type, ...fields });
  };
}
