import { describeTimeClaim, isoTime, span } from '@org/auth-core/protocol';
import type { JWTPayload } from 'jose';

/** The NumericDate claims (RFC 7519 §4.1.4-4.1.6), in the order a reader expects them. */
const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

type TimeClaim = (typeof TIME_CLAIMS)[number];

/** A time-related problem that a service would reject the token for, with the core's code. */
export interface TimeWarning {
  readonly code: 'token_expired' | 'token_not_active' | 'missing_claim';
  readonly message: string;
}

/** ISO 8601 forms of the time claims present, for `--json` (the raw numbers stay in `claims`). */
export function isoTimes(claims: JWTPayload): Partial<Record<TimeClaim, string>> {
  const times: Partial<Record<TimeClaim, string>> = {};
  for (const claim of TIME_CLAIMS) {
    const iso = isoTime(claims[claim]);
    if (iso !== undefined) times[claim] = iso;
  }
  return times;
}

/** The lines `iat 2026-12-02T14:15:00Z (5 min ago)`, ... of the time claims present. */
export function timeLines(claims: JWTPayload, now: number): string[] {
  return TIME_CLAIMS.filter((claim) => claims[claim] !== undefined).map(
    (claim) => `${claim} ${describeTimeClaim(claim, claims[claim], now)}`,
  );
}

/**
 * What a service would reject the token for on time grounds, judged without clock tolerance:
 * `exp` passed or missing (services require it), `nbf` or `iat` in the future.
 */
export function timeWarnings(claims: JWTPayload, now: number): TimeWarning[] {
  const warnings: TimeWarning[] = [];
  const { exp, nbf, iat } = claims;
  if (exp === undefined) warnings.push({ code: 'missing_claim', message: 'no exp claim' });
  else if (typeof exp === 'number' && exp <= now) {
    warnings.push({
      code: 'token_expired',
      message: `expired ${span(now - exp)} ago (exp ${isoTime(exp) ?? exp})`,
    });
  }
  if (typeof nbf === 'number' && nbf > now) {
    warnings.push({
      code: 'token_not_active',
      message: `not valid yet: valid from ${isoTime(nbf) ?? nbf} (in ${span(nbf - now)})`,
    });
  }
  if (typeof iat === 'number' && iat > now) {
    warnings.push({
      code: 'token_not_active',
      message: `issued in the future: iat ${isoTime(iat) ?? iat} (in ${span(iat - now)})`,
    });
  }
  return warnings;
}
