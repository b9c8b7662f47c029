import { AuthError } from '../errors.js';
import { detail, timeDetail } from '../explain/rejection-detail.js';
import { describeTimeClaim } from '../explain/time-text.js';

/** The time rules for one token; all in seconds. */
export interface TimeRules {
  readonly clockTolerance: number;
  readonly maxTokenAge: number | undefined;
}

/**
 * Checks `exp` (required), `nbf` and `iat` (when present) against `now`, and the token's age
 * when a maximum is set (RFC 7519 §4.1.4, §4.1.5, §4.1.6). Runs on every request, cached or not.
 *
 * @throws {AuthError} `token_expired`, `token_not_active`, `token_too_old`, `missing_claim`, `invalid_claim`
 */
export function checkTime(payload: Readonly<Record<string, unknown>>, now: number, rules: TimeRules): void {
  const { clockTolerance } = rules;
  const exp = numericDate(payload, 'exp', true);
  if (now - clockTolerance >= exp) {
    throw new AuthError('token_expired', {
      claim: 'exp',
      detail: timeDetail('exp', exp, now, clockTolerance),
    });
  }
  const nbf = numericDate(payload, 'nbf', false);
  if (nbf !== undefined && nbf > now + clockTolerance) {
    throw new AuthError('token_not_active', {
      claim: 'nbf',
      detail: timeDetail('nbf', nbf, now, clockTolerance),
    });
  }
  const iat = numericDate(payload, 'iat', rules.maxTokenAge !== undefined);
  if (iat !== undefined && iat > now + clockTolerance) {
    throw new AuthError('token_not_active', {
      claim: 'iat',
      description: 'token issued in the future',
      detail: timeDetail('iat', iat, now, clockTolerance),
    });
  }
  if (
    rules.maxTokenAge !== undefined &&
    iat !== undefined &&
    now - iat > rules.maxTokenAge + clockTolerance
  ) {
    throw new AuthError('token_too_old', {
      claim: 'iat',
      detail: detail(
        'iat',
        `iat is ${describeTimeClaim('iat', iat, now)}, older than the maximum age of ${rules.maxTokenAge} s`,
        { found: iat, expected: rules.maxTokenAge, now, tolerance: clockTolerance },
      ),
    });
  }
}

function numericDate(payload: Readonly<Record<string, unknown>>, claim: string, required: true): number;
function numericDate(
  payload: Readonly<Record<string, unknown>>,
  claim: string,
  required: boolean,
): number | undefined;
function numericDate(
  payload: Readonly<Record<string, unknown>>,
  claim: string,
  required: boolean,
): number | undefined {
  const value = payload[claim];
  if (value === undefined) {
    if (required) throw new AuthError('missing_claim', { claim, description: `token has no ${claim} claim` });
    return undefined;
  }
  // RFC 7519 §2 NumericDate: a JSON number; strings, NaN-like and absurd values are refused.
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e11) {
    throw new AuthError('invalid_claim', { claim, description: `invalid ${claim} claim` });
  }
  return value;
}
