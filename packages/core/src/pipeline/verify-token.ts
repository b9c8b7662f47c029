import { AuthContext, type Claims, type Rejector } from '../auth-context.js';
import { checkTime } from '../claims/check-time.js';
import { checkTokenClaims, type TokenFacts } from '../claims/check-token-claims.js';
import type { ClaimRules } from '../claims/token-rules.js';
import { actorOf, type CompiledDelegation } from '../delegation/delegation.js';
import { boundThumbprint } from '../dpop/dpop-policy.js';
import { AuthError, isAuthError } from '../errors.js';
import type { RequestIdentity } from '../events.js';
import { bounded, detail, mismatch } from '../explain/rejection-detail.js';
import type { CallerPatterns } from '../grants/caller-patterns.js';
import { type GrantRules, grantsOf } from '../grants/grants.js';
import { identityOf } from '../identity/identity-of.js';
import type { CompiledIssuer } from '../keys/compile-issuers.js';
import type { KeyEntry } from '../keys/key-entry.js';
import type { SignatureScheduler } from '../keys/signature-verification.js';
import { verifyWithKeys } from '../keys/verify-signature.js';
import { deepFreeze } from '../lib/deep-freeze.js';
import { decodeToken, type TokenHeader } from '../token/decode-token.js';

/** A token whose signature and request-independent claims were verified: what the cache keeps. */
export interface VerifiedToken {
  readonly issuer: CompiledIssuer;
  readonly key: KeyEntry;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly facts: TokenFacts;
  readonly context: AuthContext;
  readonly identity: RequestIdentity;
  /** When the cache must forget it: `exp` plus the clock tolerance, in milliseconds. */
  readonly expiresAtMs: number;
  /** The caller allow-list for this token: its kind's, or the services' for a delegated token. */
  readonly callers: CallerPatterns | undefined;
}

/** What the token steps need: the trusted issuers, the claim and grant rules, delegation, the rejector. */
export interface TokenRules {
  readonly issuers: ReadonlyMap<string, CompiledIssuer>;
  readonly claims: ClaimRules;
  readonly grants: GrantRules;
  readonly delegation: CompiledDelegation | undefined;
  readonly rejector: Rejector;
  /** Where signatures are checked: on the event loop, or on the thread pool when verifications overlap. */
  readonly signatures: SignatureScheduler;
}

/**
 * The steps that do not depend on the request, in order: decode → issuer → signature → claims
 * (time first, then kind, audience, type, lifetime) → grants → context. `learned` hears who the
 * token names as soon as that is known, so that rejections after the signature name the caller.
 *
 * @throws {AuthError} for every rejection
 */
export async function verifyToken(
  token: string,
  now: number,
  rules: TokenRules,
  learned: (identity: RequestIdentity) => void,
): Promise<VerifiedToken> {
  const { header, payload } = decodeToken(token);
  const issuerName = payload.iss;
  const issuer = typeof issuerName === 'string' ? rules.issuers.get(issuerName) : undefined;
  if (issuer === undefined) {
    throw new AuthError('invalid_issuer', {
      claim: 'iss',
      detail: mismatch('iss', issuerName, [...rules.issuers.keys()]),
    });
  }
  learned({ issuer: issuer.issuer });
  let key: KeyEntry;
  try {
    key = await verifyWithKeys(token, header, issuer, rules.signatures);
  } catch (error) {
    throw explainKeyFailure(error, header, issuer);
  }
  // The claims are authentic from here on: name the caller in audit events of later rejections.
  learned(signedIdentity(issuer.issuer, payload, rules.claims));
  const frozen = deepFreeze(payload);
  const { clockTolerance } = rules.claims;
  // Time first, so that an expired token reads "token expired" whatever else is wrong with it.
  checkTime(frozen, now, { clockTolerance, maxTokenAge: undefined });
  const facts = checkTokenClaims(header, frozen, issuer.issuer, now, rules.claims);
  if (facts.rules.maxTokenAge !== undefined) {
    checkTime(frozen, now, { clockTolerance, maxTokenAge: facts.rules.maxTokenAge });
  }
  const { context, callers } = buildContext(frozen, deepFreeze(header), issuer.issuer, facts, rules);
  return {
    issuer,
    key,
    payload: frozen,
    facts,
    context,
    identity: identityOf(context),
    callers,
    expiresAtMs: ((frozen.exp as number) + clockTolerance) * 1000,
  };
}

/** The context of a verified token, and the caller allow-list that applies to it. */
function buildContext(
  payload: Readonly<Record<string, unknown>>,
  header: Readonly<Record<string, unknown>>,
  issuer: string,
  facts: TokenFacts,
  rules: TokenRules,
): { context: AuthContext; callers: CallerPatterns | undefined } {
  const grants = grantsOf(payload, rules.grants);
  const fields = {
    kind: facts.rules.kind,
    // A DPoP-bound token only ever passes with the DPoP scheme: its guards' challenges say DPoP.
    scheme: boundThumbprint(payload) === undefined ? ('Bearer' as const) : ('DPoP' as const),
    rejector: rules.rejector,
    issuer,
    subject: facts.subject,
    caller: facts.caller,
    audience: Object.freeze(facts.audience),
    tokenId: facts.tokenId,
    expiresAt: payload.exp as number,
    claims: payload as Claims,
    header: header as AuthContext['header'],
    roles: Object.freeze(grants.roles),
    permissions: grants.permissions,
  };
  const actor = rules.delegation && actorOf(payload, issuer, rules.delegation);
  if (actor === undefined) return { context: new AuthContext(fields), callers: facts.rules.callers };
  // RFC 8693: `sub` is the user, `act.sub` the service acting for them; the caller allow-list
  // of service tokens applies to that service.
  const services = rules.claims.service;
  if (services === undefined) {
    throw new AuthError('invalid_token_type', { description: 'service tokens are not accepted here' });
  }
  const user = new AuthContext({ ...fields, kind: 'user', scheme: 'Bearer', caller: undefined });
  return {
    context: new AuthContext({ ...fields, kind: 'service', subject: actor, caller: actor, user }),
    callers: services.callers,
  };
}

/** Who a token with an authentic signature names, before its claims are checked. */
function signedIdentity(
  issuer: string,
  payload: Readonly<Record<string, unknown>>,
  claims: ClaimRules,
): RequestIdentity {
  const isService = payload[claims.markerClaim] === claims.markerValue;
  const subject = text(payload.sub);
  const caller = isService ? text(payload[claims.service?.callerClaim ?? 'sub']) : undefined;
  const tokenId = text(payload.jti);
  // Built member by member (no spread of temporary objects): this runs for every fresh token.
  const identity: { -readonly [K in keyof RequestIdentity]: RequestIdentity[K] } = {
    issuer,
    kind: isService ? 'service' : 'user',
  };
  if (subject !== undefined) identity.subject = subject;
  if (caller !== undefined) identity.caller = caller;
  if (tokenId !== undefined) identity.tokenId = tokenId;
  return identity;
}

/** A non-empty string claim, or undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The key lookup's rejections, with what the token named and what the issuer offers. */
function explainKeyFailure(error: unknown, header: TokenHeader, issuer: CompiledIssuer): unknown {
  if (!isAuthError(error) || error.detail !== undefined) return error;
  const facts = { issuer: issuer.issuer };
  switch (error.code) {
    case 'unsupported_algorithm':
      return error.with({
        detail: detail(
          'alg',
          `alg ${JSON.stringify(bounded(header.alg))} is not accepted (accepted: ${[...issuer.algorithms].join(', ')})`,
          { ...facts, found: bounded(header.alg) as string, expected: [...issuer.algorithms] },
        ),
      });
    case 'unknown_key':
      return error.with({
        detail:
          header.kid === undefined
            ? detail('kid', `the token names no kid and no key of ${issuer.issuer} matches`, facts)
            : detail(
                'kid',
                `kid ${JSON.stringify(bounded(header.kid))} is not in the JWKS of ${issuer.issuer}`,
                {
                  ...facts,
                  found: bounded(header.kid) as string,
                },
              ),
      });
    case 'keys_unavailable':
      return error.with({ detail: detail('keys', `the keys of ${issuer.issuer} are unavailable`, facts) });
    default:
      return error;
  }
}
