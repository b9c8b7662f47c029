import { AuthConfigError } from '../errors.js';

/**
 * A span of time: a number of **seconds**, or a string such as `'200ms'`, `'30s'`, `'5m'`, `'2h'`,
 * `'1d'`, `'1w'`, `'1y'` (the units jose accepts, plus milliseconds).
 */
export type Duration = number | string;

const UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  y: 31_557_600,
  yr: 31_557_600,
  yrs: 31_557_600,
  year: 31_557_600,
  years: 31_557_600,
};

const PATTERN = /^(\d+(?:\.\d+)?) ?([a-z]+)$/i;

/** Parses a {@link Duration} into seconds; throws {@link AuthConfigError} naming `option` when invalid. */
export function toSeconds(option: string, value: Duration, { allowZero = true } = {}): number {
  let seconds: number | undefined;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    const unit = match?.[2] ? UNITS[match[2].toLowerCase()] : undefined;
    if (match?.[1] && unit !== undefined) seconds = Number(match[1]) * unit;
  }
  if (seconds === undefined || Number.isNaN(seconds) || seconds < 0) {
    throw new AuthConfigError(
      option,
      `expected a duration in seconds (a non-negative number) or a string such as '30s', '5m', '1h', got ${describe(value)}`,
    );
  }
  if (!allowZero && seconds === 0) {
    throw new AuthConfigError(option, 'must be greater than zero');
  }
  return seconds;
}

/** A short, secret-free description of an option value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * Parses a {@link Duration} into seconds, for packages that take durations in their options.
 *
 * @example parseDuration('5m', 'lifetime') // 300
 * @throws {AuthConfigError} naming `option` when the value is not a duration
 */
export function parseDuration(value: Duration, option: string): number {
  return toSeconds(option, value);
}
