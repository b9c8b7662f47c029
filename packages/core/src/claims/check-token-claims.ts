import { AuthError } from '../errors.js';
import { bounded, detail, mismatch } from '../explain/rejection-detail.js';
import type { TokenHeader } from '../token/decode-token.js';
import type { ClaimRules, CompiledRules } from './token-rules.js';

/** What the claim checks learned about a token. */
export interface TokenFacts {
  readonly rules: CompiledRules;
  readonly audience: readonly string[];
  readonly subject: string | undefined;
  readonly caller: string | undefined;
  readonly tokenId: string | undefined;
}

/**
 * The checks whose outcome depends only on the token and the configuration (not on the clock,
 * except `maxLifetime` without `iat`, which can only become easier to pass): kind, issuer per
 * kind, audience, `typ`, lifetime, required claims and claim types. Their result is cached with
 * the verified signature.
 */
export function checkTokenClaims(
  header: TokenHeader,
  payload: Readonly<Record<string, unknown>>,
  issuer: string,
  now: number,
  options: ClaimRules,
): TokenFacts {
  // OpenID Connect ID tokens carry these; they identify a login, they are not access tokens.
  if ('nonce' in payload || 'at_hash' in payload || 'c_hash' in payload) {
    throw new AuthError('unsupported_token', {
      description: 'ID tokens are not accepted; send an access token',
    });
  }
  const isService = payload[options.markerClaim] === options.markerValue;
  const rules = isService ? options.service : options.user;
  if (rules === undefined) {
    const marker = JSON.stringify(bounded(payload[options.markerClaim]) ?? null);
    throw new AuthError('invalid_token_type', {
      claim: options.markerClaim,
      description: isService ? 'service tokens are not accepted here' : 'not a service token',
      detail: isService
        ? detail(
            options.markerClaim,
            `${options.markerClaim} is ${marker}: service tokens are not accepted here`,
          )
        : detail(
            options.markerClaim,
            `no service marker (${options.markerClaim} is ${marker}, expected ${JSON.stringify(options.markerValue)})`,
          ),
    });
  }
  if (rules.issuers !== undefined && !rules.issuers.has(issuer)) {
    throw new AuthError('invalid_issuer', {
      claim: 'iss',
      description: `issuer not trusted for ${rules.kind} tokens`,
      detail: mismatch('iss', issuer, [...rules.issuers]),
    });
  }

  const audience = audienceOf(payload.aud);
  if (audience.length > 1 && !rules.allowMultipleAudiences) {
    throw new AuthError('invalid_audience', {
      claim: 'aud',
      description: 'tokens for several audiences are not accepted',
      detail: detail(
        'aud',
        `aud names ${audience.length} audiences; tokens for several audiences are not accepted`,
        {
          found: bounded(audience) as readonly string[],
        },
      ),
    });
  }
  if (!audience.some((value) => rules.audience.has(value))) {
    throw new AuthError('invalid_audience', {
      claim: 'aud',
      detail: mismatch('aud', payload.aud, [...rules.audience]),
    });
  }

  if (rules.typ !== undefined && !sameMediaType(header.typ, rules.typ)) {
    throw new AuthError('invalid_token_type', {
      description: `token type must be ${rules.typ}`,
      detail: mismatch('typ', header.typ, rules.typ),
    });
  }

  const exp = payload.exp as number;
  const iat = typeof payload.iat === 'number' ? payload.iat : now;
  if (exp - iat > options.maxLifetime) {
    throw new AuthError('lifetime_too_long', {
      claim: 'exp',
      detail: detail(
        'exp',
        `lifetime is ${exp - iat}s (iat to exp), over the limit of ${options.maxLifetime}s`,
        {
          found: exp - iat,
          expected: options.maxLifetime,
        },
      ),
    });
  }

  for (const claim of rules.requiredClaims) {
    if (payload[claim] === undefined) {
      throw new AuthError('missing_claim', { claim, description: `token has no ${claim} claim` });
    }
  }
  const subject = optionalString(payload, 'sub');
  const tokenId = optionalString(payload, 'jti');
  const callerValue = rules.kind === 'service' ? payload[rules.callerClaim] : undefined;
  return {
    rules,
    audience,
    subject,
    caller: typeof callerValue === 'string' && callerValue !== '' ? callerValue : undefined,
    tokenId,
  };
}

function audienceOf(aud: unknown): string[] {
  if (aud === undefined)
    throw new AuthError('invalid_audience', { claim: 'aud', description: 'token has no audience' });
  const list = typeof aud === 'string' ? [aud] : aud;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((value) => typeof value !== 'string' || value === '')
  ) {
    throw new AuthError('invalid_audience', { claim: 'aud', description: 'invalid audience' });
  }
  return list as string[];
}

function optionalString(payload: Readonly<Record<string, unknown>>, claim: string): string | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new AuthError('invalid_claim', { claim, description: `invalid ${claim} claim` });
  return value;
}

// RFC 8725 §3.11 / RFC 7515 §4.1.9: "application/" may be omitted and the comparison ignores case.
function sameMediaType(actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false;
  const normalize = (value: string) => value.toLowerCase().replace(/^application\//, '');
  return normalize(actual) === normalize(expected);
}
