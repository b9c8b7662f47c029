import { checkCertificateBinding } from '../binding/certificate-binding.js';
import { checkTime } from '../claims/check-time.js';
import {
  boundThumbprint,
  type DpopPolicy,
  refuseBoundToken,
  type TokenPresentation,
} from '../dpop/dpop-policy.js';
import { AuthError } from '../errors.js';
import type { RequestLike } from '../token/request.js';
import type { VerifiedToken } from './verify-token.js';

/** What accepting a verified token for one request needs. */
export interface AcceptRules {
  /** Seconds. */
  readonly clockTolerance: number;
  /** The `dpop` option, compiled; undefined when DPoP is off. */
  readonly dpop: DpopPolicy | undefined;
  /** `certificateBinding: 'required'`. */
  readonly requireCertificateBinding: boolean;
}

/**
 * Accepts a verified token, fresh or cached, for this request, in order: time claims (they move
 * with the clock) → presentation proof (a DPoP proof is new each time, RFC 9449 §4.3; a
 * certificate binding is to this connection, RFC 8705 §3) → the caller allow-list of its kind.
 * Returns a promise only when a DPoP proof must be awaited.
 *
 * @throws {AuthError} for every rejection
 */
export function acceptToken(
  verified: VerifiedToken,
  token: string,
  request: RequestLike | undefined,
  presentation: TokenPresentation,
  nowMs: number,
  rules: AcceptRules,
): Promise<unknown> | undefined {
  checkTime(verified.payload, nowMs / 1000, {
    clockTolerance: rules.clockTolerance,
    maxTokenAge: verified.facts.rules.maxTokenAge,
  });
  const { dpop } = rules;
  if (dpop === undefined) refuseBoundToken(verified.payload);
  else {
    const proving = dpop.check(boundThumbprint(verified.payload), token, request, presentation, nowMs);
    if (proving !== undefined) return proving.then(() => checkConnection(verified, request, rules));
  }
  checkConnection(verified, request, rules);
  return undefined;
}

/** The certificate binding (to this connection) and the caller allow-list of the token's kind. */
function checkConnection(
  verified: VerifiedToken,
  request: RequestLike | undefined,
  rules: AcceptRules,
): void {
  checkCertificateBinding(verified.payload, request, rules.requireCertificateBinding);
  if (verified.callers !== undefined && !verified.callers.matches(verified.context.caller)) {
    throw new AuthError('caller_not_allowed');
  }
}
