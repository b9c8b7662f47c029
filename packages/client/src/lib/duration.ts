import { AuthClientConfigError } from '../errors.js';

/** A span of time: a number of **seconds**, or a string such as `'30s'`, `'5m'`, `'2h'`, `'1d'`. */
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
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
};

const PATTERN = /^(\d+(?:\.\d+)?) ?([a-z]+)$/i;

/** Parses a {@link Duration} into seconds; throws naming `option` when invalid or negative. */
export function parseDuration(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    const unit = match?.[2] === undefined ? undefined : UNITS[match[2].toLowerCase()];
    if (match?.[1] !== undefined && unit !== undefined) return Number(match[1]) * unit;
  }
  throw new AuthClientConfigError(
    option,
    `expected seconds (a non-negative number) or a string such as '30s', '5m', '1h' (got ${JSON.stringify(value)})`,
  );
}
