import { describeTimeClaim } from './time-text.js';

/**
 * What a rejection found and what was expected, safe to log: issuer and audience strings, `kid`,
 * `alg`, `typ` and times, never a token, a signature, a secret or key material. Values that come
 * from the token are cut to 128 characters and 8 entries.
 * The `rejected` event carries it as `detail`, the `logger` option reports it, and
 * `service-auth inspect` prints its `explanation`.
 */
export interface RejectionDetail {
  /** What was checked: a claim (`iss`, `aud`, `exp`, `nbf`, `iat`, `typ`, ...), a header field (`alg`, `kid`) or `keys`. */
  readonly field: string;
  /** What the token (or the key server) presented; absent when it presented nothing. */
  readonly found?: string | number | readonly string[];
  /** What the verifier accepts. */
  readonly expected?: string | number | readonly string[];
  /** For time checks: the verifier's clock, in seconds since the epoch. */
  readonly now?: number;
  /** For time checks: the clock tolerance, in seconds. */
  readonly tolerance?: number;
  /** The issuer whose keys were consulted (`kid`, `alg` and key-server failures). */
  readonly issuer?: string;
  /** One sentence for people, e.g. `iss is "billing", expected "https://billing"`. */
  readonly explanation: string;
}

/** The longest token-supplied string a detail keeps. */
export const MAX_VALUE_LENGTH = 128;
/** The most values of a list (such as `aud`) a detail keeps. */
export const MAX_VALUES = 8;

type Value = string | number | readonly string[];

/** A token-supplied value, bounded: long strings cut, long lists shortened, other types named. */
export function bounded(value: unknown): Value | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return cut(value);
  if (Array.isArray(value)) return value.slice(0, MAX_VALUES).map((item) => cut(String(item)));
  return `(${value === null ? 'null' : typeof value})`;
}

function cut(text: string): string {
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}

function show(value: Value | undefined): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function showExpected(expected: Value): string {
  if (!Array.isArray(expected)) return JSON.stringify(expected);
  const list = expected as readonly string[];
  return list.length === 1
    ? JSON.stringify(list[0])
    : `one of ${list.map((v) => JSON.stringify(v)).join(', ')}`;
}

/** `iss is "billing", expected "https://billing"`: a claim that is not one the verifier accepts. */
export function mismatch(field: string, found: unknown, expected: Value): RejectionDetail {
  const value = bounded(found);
  const list = Array.isArray(expected) ? expected.slice(0, MAX_VALUES) : expected;
  return {
    field,
    ...(value === undefined ? {} : { found: value }),
    expected: list,
    explanation: `${field} is ${show(value)}, expected ${showExpected(list)}`,
  };
}

/** `exp is 2026-12-02T14:20:00Z (expired 3 min ago)`: a time claim that failed against the clock. */
export function timeDetail(field: string, value: unknown, now: number, tolerance: number): RejectionDetail {
  const found = bounded(value);
  return {
    field,
    ...(found === undefined ? {} : { found }),
    now,
    tolerance,
    explanation: `${field} is ${describeTimeClaim(field, value, now)}${tolerance > 0 ? `, with ${tolerance} s tolerance` : ''}`,
  };
}

/** A detail with a sentence of its own, for the cases the builders above do not fit. */
export function detail(
  field: string,
  explanation: string,
  facts: Omit<RejectionDetail, 'field' | 'explanation'> = {},
): RejectionDetail {
  return { field, ...facts, explanation };
}
