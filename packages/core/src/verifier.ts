import { AuthContext, type Claims } from './auth-context.js';
import { grantsOf } from './authz/grants.js';
import { VerifiedTokenCache } from './cache/verified-token-cache.js';
import { checkTime } from './claims/check-time.js';
import { checkTokenClaims, type TokenFacts } from './claims/check-token-claims.js';
import { setOwner } from './context-owner.js';
import { AuthError, isAuthError, withRealm } from './errors.js';
import type { AuthEventListener, RequestIdentity } from './events.js';
import type { KeyEntry } from './keys/key-entry.js';
import type { IssuerHealth } from './keys/key-source.js';
import { verifyWithKeys } from './keys/verify-signature.js';
import { type CompiledIssuer, type CompiledOptions, compileOptions } from './options/compile-options.js';
import type { VerifierOptions } from './options/verifier-options.js';
import { decodeToken } from './token/decode-token.js';
import { extractBearerToken } from './token/extract-bearer-token.js';
import type { RequestLike } from './token/request.js';

/** Options of {@link Verifier.authenticate}. */
export interface AuthenticateOptions {
  /**
   * When true, a request without any token resolves to `undefined` instead of failing with
   * `missing_token`; a request with a bad token is still rejected.
   */
  readonly optional?: boolean;
}

/** The readiness of every issuer. */
export interface VerifierHealth {
  /** True when every issuer has usable keys. */
  readonly ready: boolean;
  readonly issuers: readonly IssuerHealth[];
}

/** A verified token as remembered between requests. */
interface VerifiedToken {
  readonly issuer: CompiledIssuer;
  readonly key: KeyEntry;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly facts: TokenFacts;
  readonly context: AuthContext;
  readonly identity: RequestIdentity;
  readonly expiresAtMs: number;
}

/**
 * Verifies service and user tokens. Build one per application with {@link createVerifier}:
 * keys are imported and options compiled once; each request does the minimum.
 */
export class Verifier {
  readonly #options: CompiledOptions;
  readonly #cache: VerifiedTokenCache<VerifiedToken> | undefined;
  readonly #owner: { emit: AuthEventListener; realm: string | undefined };

  /** Prefer {@link createVerifier}. @throws {AuthConfigError} for invalid options */
  constructor(options: VerifierOptions) {
    this.#options = compileOptions(options);
    const size = this.#options.cacheMaxEntries;
    this.#cache = size > 0 ? new VerifiedTokenCache(size) : undefined;
    this.#owner = { emit: this.#options.emit, realm: this.#options.realm };
    setOwner(this, this.#owner);
  }

  /** The `realm` of challenges, if configured. */
  get realm(): string | undefined {
    return this.#options.realm;
  }

  /**
   * Extracts the token from a request (by default `Authorization: Bearer`) and verifies it.
   *
   * @returns the auth context, or `undefined` for a request without token when `optional` is set
   * @throws {AuthError} for every rejection; anything else thrown is a bug or a custom check's error
   */
  async authenticate(
    request: RequestLike,
    options: AuthenticateOptions = {},
  ): Promise<AuthContext | undefined> {
    let token: string | undefined;
    try {
      token = this.#extract(request);
      if (token === undefined) {
        if (options.optional) return undefined;
        throw new AuthError('missing_token');
      }
    } catch (error) {
      throw this.#rejected(error, {});
    }
    return this.#verify(token, request);
  }

  /**
   * Verifies a token string: structure, issuer, algorithm, signature, time claims, kind,
   * audience, lifetime, callers, revocation and custom checks, in that order.
   *
   * @throws {AuthError} for every rejection
   */
  verify(token: string, request?: RequestLike): Promise<AuthContext> {
    return this.#verify(token, request);
  }

  /**
   * Fetches every remote issuer's keys now (for start-up) and resolves when all have keys.
   * @throws {AuthError} `keys_unavailable` when an issuer's keys cannot be fetched
   */
  async ready(): Promise<void> {
    await Promise.all([...this.#options.issuers.values()].map((issuer) => issuer.keys.ready()));
  }

  /** Stops background key refreshes (see `backgroundRefresh`); call it on shutdown. */
  close(): void {
    for (const issuer of this.#options.issuers.values()) issuer.keys.close?.();
  }

  /** Readiness of each issuer's keys, for health endpoints. Never fetches. */
  health(): VerifierHealth {
    const issuers = [...this.#options.issuers.values()].map((issuer) => issuer.keys.health());
    return { ready: issuers.every((issuer) => issuer.ready), issuers };
  }

  #extract(request: RequestLike): string | undefined {
    const { extractToken, maxTokenLength, queryParameter } = this.#options;
    if (extractToken !== undefined) {
      const token = extractToken(request);
      if (token !== undefined && typeof token !== 'string')
        throw new TypeError('extractToken must return a string or undefined');
      if (token === '') return undefined;
      if (token !== undefined && token.length > (maxTokenLength ?? 8192)) {
        throw new AuthError('malformed_request', { description: 'token too large' });
      }
      return token;
    }
    return extractBearerToken(request, {
      queryParameter,
      ...(maxTokenLength === undefined ? {} : { maxTokenLength }),
    });
  }

  async #verify(token: string, request: RequestLike | undefined): Promise<AuthContext> {
    const options = this.#options;
    const nowMs = options.now();
    const now = nowMs / 1000;
    let identity: RequestIdentity = {};
    try {
      if (typeof token !== 'string' || token === '') throw new AuthError('missing_token');
      if (token.length > (options.maxTokenLength ?? 8192)) {
        throw new AuthError('malformed_request', { description: 'token too large' });
      }
      let verified = this.#cache?.get(token, nowMs);
      if (verified !== undefined) {
        // A cache hit must still notice a key that left the key set: let the source refresh.
        identity = verified.identity;
        const refreshing = verified.issuer.keys.ensureFresh();
        if (refreshing !== undefined) await refreshing;
      }
      const cached = verified?.key.current === true;
      if (verified === undefined || !cached) {
        if (verified !== undefined) this.#cache?.delete(token);
        verified = await this.#verifyFresh(token, now, (known) => {
          identity = known;
        });
      } else {
        checkTime(verified.payload, now, {
          clockTolerance: options.clockTolerance,
          maxTokenAge: verified.facts.rules.maxTokenAge,
        });
      }
      const { context, facts } = verified;
      identity = verified.identity;
      if (facts.rules.callers !== undefined && !facts.rules.callers.matches(facts.caller)) {
        throw new AuthError('caller_not_allowed');
      }
      await this.#checkRevocation(context);
      for (const check of options.checks) {
        if ((await check(context, request)) === false) throw new AuthError('access_denied');
      }
      if (options.listening) options.emit({ type: 'accepted', cached, ...identity });
      return context;
    } catch (error) {
      throw this.#rejected(error, identity);
    }
  }

  async #verifyFresh(
    token: string,
    now: number,
    learned: (identity: RequestIdentity) => void,
  ): Promise<VerifiedToken> {
    const options = this.#options;
    const { header, payload } = decodeToken(token);
    const issuerName = payload.iss;
    const issuer = typeof issuerName === 'string' ? options.issuers.get(issuerName) : undefined;
    if (issuer === undefined) throw new AuthError('invalid_issuer', { claim: 'iss' });
    learned({ issuer: issuer.issuer });
    const key = await verifyWithKeys(token, header, issuer);
    // The claims are authentic from here on: name the caller in audit events of later rejections.
    learned(signedIdentity(issuer.issuer, payload, options));
    const frozen = deepFreeze(payload);
    // Time first, so that an expired token reads "token expired" whatever else is wrong with it.
    checkTime(frozen, now, { clockTolerance: options.clockTolerance, maxTokenAge: undefined });
    const facts = checkTokenClaims(header, frozen, issuer.issuer, now, options);
    if (facts.rules.maxTokenAge !== undefined) {
      checkTime(frozen, now, {
        clockTolerance: options.clockTolerance,
        maxTokenAge: facts.rules.maxTokenAge,
      });
    }
    const grants = grantsOf(frozen, options);
    const context = new AuthContext({
      kind: facts.rules.kind,
      issuer: issuer.issuer,
      subject: facts.subject,
      caller: facts.caller,
      audience: Object.freeze(facts.audience),
      tokenId: facts.tokenId,
      expiresAt: frozen.exp as number,
      claims: frozen as Claims,
      header: deepFreeze(header),
      roles: Object.freeze(grants.roles),
      permissions: grants.permissions,
    });
    setOwner(context, this.#owner);
    const verified: VerifiedToken = {
      issuer,
      key,
      payload: frozen,
      facts,
      context,
      identity: identityOf(context),
      expiresAtMs: ((frozen.exp as number) + options.clockTolerance) * 1000,
    };
    this.#cache?.set(token, verified);
    return verified;
  }

  async #checkRevocation(context: AuthContext): Promise<void> {
    const store = this.#options.revocation;
    if (store === undefined) return;
    let revoked: boolean;
    try {
      revoked = await store.isRevoked({
        issuer: context.issuer,
        tokenId: context.tokenId,
        subject: context.subject,
        issuedAt: typeof context.claims.iat === 'number' ? context.claims.iat : undefined,
        expiresAt: context.expiresAt,
      });
    } catch (cause) {
      throw new AuthError('revocation_unavailable', { cause, retryAfter: 5 });
    }
    if (revoked) throw new AuthError('token_revoked');
  }

  #rejected(error: unknown, identity: RequestIdentity): unknown {
    if (!isAuthError(error)) return error;
    const rejection = withRealm(error, this.#options.realm);
    this.#options.emit({
      type: 'rejected',
      code: rejection.code,
      status: rejection.status,
      description: rejection.description,
      ...identity,
    });
    return rejection;
  }
}

/**
 * Builds a {@link Verifier}. All options are validated here, with messages that name the option
 * and say what to change; nothing is read from the environment.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@org/auth-core';
 *
 * const verifier = createVerifier({
 *   issuers: [{ issuer: 'https://orders.internal', jwksUri: 'https://orders.internal/.well-known/jwks.json' }],
 *   audience: 'payments',
 *   services: { callers: ['https://orders.internal'] },
 * });
 * const auth = await verifier.authenticate(req); // throws AuthError when rejected
 * auth.can('payments:charge');
 * ```
 *
 * @throws {AuthConfigError} for invalid options
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return new Verifier(options);
}

function identityOf(context: AuthContext): RequestIdentity {
  return {
    issuer: context.issuer,
    kind: context.kind,
    audience: context.audience,
    ...(context.subject === undefined ? {} : { subject: context.subject }),
    ...(context.caller === undefined ? {} : { caller: context.caller }),
    ...(context.tokenId === undefined ? {} : { tokenId: context.tokenId }),
  };
}

function signedIdentity(
  issuer: string,
  payload: Readonly<Record<string, unknown>>,
  options: CompiledOptions,
): RequestIdentity {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const isService = payload[options.markerClaim] === options.markerValue;
  const subject = text(payload.sub);
  const caller = isService ? text(payload[options.service?.callerClaim ?? 'sub']) : undefined;
  const tokenId = text(payload.jti);
  return {
    issuer,
    kind: isService ? 'service' : 'user',
    ...(subject === undefined ? {} : { subject }),
    ...(caller === undefined ? {} : { caller }),
    ...(tokenId === undefined ? {} : { tokenId }),
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
