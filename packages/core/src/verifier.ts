import { AuthContext, type Claims } from './auth-context.js';
import type { CallerPatterns } from './authz/caller-patterns.js';
import { grantsOf } from './authz/grants.js';
import { type Policy, PolicyEngine } from './authz/policies.js';
import { checkCertificateBinding } from './binding/certificate-binding.js';
import { VerifiedTokenCache } from './cache/verified-token-cache.js';
import { checkTime } from './claims/check-time.js';
import { checkTokenClaims, type TokenFacts } from './claims/check-token-claims.js';
import { type ContextOwner, setOwner } from './context-owner.js';
import {
  actorOf,
  type CompiledDelegation,
  compileDelegation,
  type DelegationOptions,
} from './delegation/delegation.js';
import { boundThumbprint, refuseBoundToken, type TokenPresentation } from './dpop/dpop-policy.js';
import { extractDpopOrBearerToken } from './dpop/extract-dpop-token.js';
import { AuthConfigError, AuthError, isAuthError, withRealm } from './errors.js';
import type { RequestIdentity } from './events.js';
import { buildAuthContext } from './identity/create-auth-context.js';
import { identityOf } from './identity/identity-of.js';
import type { SessionCheck } from './identity/sessions.js';
import type { KeyEntry } from './keys/key-entry.js';
import type { IssuerHealth } from './keys/key-source.js';
import { verifyWithKeys } from './keys/verify-signature.js';
import { type CompiledIssuer, type CompiledOptions, compileOptions } from './options/compile-options.js';
import type { VerifierOptions } from './options/verifier-options.js';
import { decodeToken } from './token/decode-token.js';
import { extractBearerToken } from './token/extract-bearer-token.js';
import { headerCount, headerValue, type RequestLike } from './token/request.js';

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
  /** The caller allow-list for this token: its kind's, or the services' for a delegated token. */
  readonly callers: CallerPatterns | undefined;
}

/**
 * Verifies service and user tokens. Build one per application with {@link createVerifier}:
 * keys are imported and options compiled once; each request does the minimum.
 */
export class Verifier {
  readonly #options: CompiledOptions;
  readonly #cache: VerifiedTokenCache<VerifiedToken> | undefined;
  readonly #owner: ContextOwner;
  /** The owner of DPoP-bound tokens' contexts: guards challenge them with the DPoP scheme. */
  readonly #dpopOwner: ContextOwner;
  readonly #sessions: SessionCheck | undefined;
  readonly #delegation: CompiledDelegation | undefined;
  /** True when a cache hit can be answered without awaiting anything (see `authenticateCached`). */
  readonly #syncHits: boolean;

  /** Prefer {@link createVerifier}. @throws {AuthConfigError} for invalid options */
  constructor(options: VerifierOptions) {
    const { sessions, delegation, policies, rest } = splitOptions(options);
    this.#sessions = sessions;
    this.#options = compileOptions(rest);
    this.#delegation = compileDelegation(delegation, this.#options.issuers);
    const engine = policies === undefined ? undefined : new PolicyEngine(policies);
    const size = this.#options.cacheMaxEntries;
    this.#cache = size > 0 ? new VerifiedTokenCache(size) : undefined;
    this.#owner = {
      emit: this.#options.emit,
      realm: this.#options.realm,
      policies: engine,
      now: this.#options.now,
    };
    this.#dpopOwner = { ...this.#owner, scheme: 'DPoP' };
    const compiled = this.#options;
    this.#syncHits =
      this.#cache !== undefined &&
      sessions === undefined &&
      compiled.dpop === undefined &&
      compiled.revocation === undefined &&
      compiled.checks.length === 0;
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
    if (this.#sessions !== undefined) {
      const session = await this.#session(this.#sessions, request);
      if (session !== undefined) return session;
    }
    let token: string | undefined;
    let presentation: TokenPresentation = 'Bearer';
    try {
      if (this.#options.dpop === undefined) {
        token = this.#extract(request);
      } else {
        const presented = this.#extractDpop(request);
        token = presented?.token;
        presentation = presented?.scheme ?? 'Bearer';
      }
      if (token === undefined) {
        if (options.optional) return undefined;
        throw new AuthError('missing_token');
      }
    } catch (error) {
      throw this.#rejected(error, {}, presentation);
    }
    const context = await this.#verify(token, request, presentation);
    const header = this.#delegation?.header;
    const forwarded = header === undefined ? 0 : headerCount(request, header);
    if (header === undefined || forwarded === 0) return context;
    return this.#onBehalfOf(context, request, header, forwarded);
  }

  /**
   * The answer for a request whose bearer token was verified before, when nothing asynchronous
   * is left to check: the cached context, or `undefined` when {@link Verifier.authenticate} must
   * decide (no token, not cached, a key refresh due, a failed check, or options that need a
   * request-time lookup: sessions, DPoP, revocation, custom checks, a forwarded user token). It
   * never throws and accepts nothing `authenticate` would refuse; adapters call it first so that
   * the common case, a caller reusing its token, costs no promise.
   */
  authenticateCached(request: RequestLike): AuthContext | undefined {
    if (!this.#syncHits) return undefined;
    const options = this.#options;
    try {
      const header = this.#delegation?.header;
      if (header !== undefined && headerCount(request, header) > 0) return undefined;
      const token = this.#extract(request);
      if (token === undefined) return undefined;
      const nowMs = options.now();
      const verified = this.#cache?.get(token, nowMs);
      if (verified === undefined || !verified.key.current) return undefined;
      const refreshing = verified.issuer.keys.ensureFresh();
      if (refreshing !== undefined) {
        // authenticate() joins this refresh and reports its outcome.
        refreshing.catch(() => {});
        return undefined;
      }
      checkTime(verified.payload, nowMs / 1000, {
        clockTolerance: options.clockTolerance,
        maxTokenAge: verified.facts.rules.maxTokenAge,
      });
      refuseBoundToken(verified.payload);
      this.#checkConnection(verified, request);
      if (options.listening) options.emit({ type: 'accepted', cached: true, ...verified.identity });
      return verified.context;
    } catch {
      return undefined;
    }
  }

  /**
   * Verifies a token string: structure, issuer, algorithm, signature, time claims, kind,
   * audience, lifetime, callers, revocation and custom checks, in that order.
   *
   * The token counts as presented as a bearer token: a DPoP-bound token (`cnf.jkt`) is refused,
   * and with `dpop: { required: true }` so is every other. Use {@link Verifier.authenticate} for
   * DPoP, which reads the scheme and the proof from the request.
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

  /**
   * A fresh DPoP server nonce (RFC 9449 §8.2), to send as `DPoP-Nonce` on any response so that
   * clients need no extra round trip; `undefined` unless `dpop.nonce` is configured. Rejections
   * that need a nonce (`use_dpop_nonce`) carry one already.
   *
   * @example
   * ```ts
   * const nonce = verifier.dpopNonce();
   * if (nonce !== undefined) res.setHeader('DPoP-Nonce', nonce);
   * ```
   */
  dpopNonce(): string | undefined {
    return this.#options.dpop?.nonce(this.#options.now());
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

  /** Verifies a forwarded user token (with the `users` rules) and attaches it to the service's context. */
  async #onBehalfOf(
    context: AuthContext,
    request: RequestLike,
    header: string,
    count: number,
  ): Promise<AuthContext> {
    const token = headerValue(request, header)?.trim() ?? '';
    try {
      if (count > 1) throw new AuthError('malformed_request', { description: 'several user tokens' });
      if (token === '') throw new AuthError('malformed_request', { description: 'empty user token' });
      if (context.kind !== 'service' || context.user !== undefined) {
        throw new AuthError('malformed_request', {
          description: 'a forwarded user token needs a service token of its own',
        });
      }
    } catch (error) {
      throw this.#rejected(error, identityOf(context));
    }
    const user = await this.#verify(token, request, 'forwarded');
    if (user.kind !== 'user') {
      throw this.#rejected(
        new AuthError('invalid_token_type', { description: 'the forwarded token is not a user token' }),
        identityOf(user),
      );
    }
    const combined = context.withUser(user);
    setOwner(combined, this.#owner);
    return combined;
  }

  async #session(check: SessionCheck, request: RequestLike): Promise<AuthContext | undefined> {
    const options = this.#options;
    let identity: RequestIdentity = { kind: 'user' };
    try {
      const result = await check(request);
      if (result === undefined) return undefined;
      const context = buildAuthContext({ ...result, kind: 'user' }, options.roles);
      setOwner(context, this.#owner);
      identity = identityOf(context);
      for (const custom of options.checks) {
        if ((await custom(context, request)) === false) throw new AuthError('access_denied');
      }
      if (options.listening) options.emit({ type: 'accepted', cached: false, ...identity });
      return context;
    } catch (error) {
      throw this.#rejected(error, identity);
    }
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

  /** `Authorization: DPoP` or, failing that, the bearer token (only with the `dpop` option). */
  #extractDpop(request: RequestLike): ReturnType<typeof extractDpopOrBearerToken> {
    const { maxTokenLength, queryParameter } = this.#options;
    return extractDpopOrBearerToken(request, {
      queryParameter,
      ...(maxTokenLength === undefined ? {} : { maxTokenLength }),
    });
  }

  async #verify(
    token: string,
    request: RequestLike | undefined,
    presentation: TokenPresentation = 'Bearer',
  ): Promise<AuthContext> {
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
      const { context } = verified;
      identity = verified.identity;
      // Every request, cache hits included: the binding depends on how this request presents
      // the token, and a DPoP proof is new each time (RFC 9449 §4.3).
      const dpop = options.dpop;
      if (dpop === undefined) refuseBoundToken(verified.payload);
      else {
        const proving = dpop.check(boundThumbprint(verified.payload), token, request, presentation, nowMs);
        if (proving !== undefined) await proving;
      }
      this.#checkConnection(verified, request);
      await this.#checkRevocation(context);
      for (const check of options.checks) {
        if ((await check(context, request)) === false) throw new AuthError('access_denied');
      }
      if (options.listening) options.emit({ type: 'accepted', cached, ...identity });
      return context;
    } catch (error) {
      throw this.#rejected(error, identity, presentation);
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
    const fields = {
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
    };
    let context = new AuthContext(fields);
    let callers = facts.rules.callers;
    const actor = this.#delegation && actorOf(frozen, issuer.issuer, this.#delegation);
    if (actor !== undefined) {
      // RFC 8693: `sub` is the user, `act.sub` the service acting for them; the caller allow-list
      // of service tokens applies to that service.
      if (options.service === undefined) {
        throw new AuthError('invalid_token_type', { description: 'service tokens are not accepted here' });
      }
      const user = new AuthContext({ ...fields, kind: 'user', caller: undefined });
      setOwner(user, this.#owner);
      context = new AuthContext({ ...fields, kind: 'service', subject: actor, caller: actor, user });
      callers = options.service.callers;
    }
    // A DPoP-bound token only ever passes with the DPoP scheme: its guards' challenges say DPoP.
    setOwner(context, boundThumbprint(frozen) === undefined ? this.#owner : this.#dpopOwner);
    const verified: VerifiedToken = {
      issuer,
      key,
      payload: frozen,
      facts,
      context,
      identity: identityOf(context),
      callers,
      expiresAtMs: ((frozen.exp as number) + options.clockTolerance) * 1000,
    };
    this.#cache?.set(token, verified);
    return verified;
  }

  /**
   * Per request, also on a cache hit: a certificate binding is to this connection, not to the
   * token; and the caller allow-list of the token's kind.
   */
  #checkConnection(verified: VerifiedToken, request: RequestLike | undefined): void {
    checkCertificateBinding(verified.payload, request, this.#options.requireCertificateBinding);
    if (verified.callers !== undefined && !verified.callers.matches(verified.context.caller)) {
      throw new AuthError('caller_not_allowed');
    }
  }

  async #checkRevocation(context: AuthContext): Promise<void> {
    const store = this.#options.revocation;
    if (store === undefined) return;
    let revoked: boolean;
    try {
      revoked = await store.isRevoked({
        issuer: context.issuer,
        tokenId: context.tokenId,
        // The token's `sub`: for a token-exchange token that is the user, not the acting service.
        subject: (context.user ?? context).subject,
        issuedAt: typeof context.claims.iat === 'number' ? context.claims.iat : undefined,
        expiresAt: context.expiresAt,
      });
    } catch (cause) {
      throw new AuthError('revocation_unavailable', { cause, retryAfter: 5 });
    }
    if (revoked) throw new AuthError('token_revoked');
  }

  #rejected(error: unknown, identity: RequestIdentity, presentation: TokenPresentation = 'Bearer'): unknown {
    if (!isAuthError(error)) return error;
    const dpop = this.#options.dpop;
    const withinRealm = withRealm(error, this.#options.realm);
    const rejection = dpop === undefined ? withinRealm : dpop.challenge(withinRealm, presentation);
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

/** Takes out the options handled here rather than by `compileOptions`. */
function splitOptions(options: VerifierOptions): {
  sessions: SessionCheck | undefined;
  delegation: DelegationOptions | undefined;
  policies: readonly Policy[] | undefined;
  rest: VerifierOptions;
} {
  if (typeof options !== 'object' || options === null) {
    return { sessions: undefined, delegation: undefined, policies: undefined, rest: options };
  }
  const { sessions, delegation, policies, ...rest } = options;
  if (sessions !== undefined && typeof sessions !== 'function') {
    throw new AuthConfigError('sessions', 'expected a function (request) => session | undefined');
  }
  return { sessions, delegation, policies, rest };
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
