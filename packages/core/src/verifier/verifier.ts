import type { AuthContext } from '../auth-context.js';
import type { AuthenticateOptions, Authenticator } from '../authn/authenticator.js';
import type { AuthRejector } from '../authn/rejector.js';
import { VerifiedTokenCache } from '../cache/verified-token-cache.js';
import type { TokenPresentation } from '../dpop/dpop-policy.js';
import { extractDpopOrBearerToken } from '../dpop/extract-dpop-token.js';
import { AuthError } from '../errors.js';
import type { RequestIdentity } from '../events.js';
import { buildAuthContext } from '../identity/create-auth-context.js';
import { identityOf } from '../identity/identity-of.js';
import type { SessionCheck } from '../identity/sessions.js';
import type { IssuerHealth } from '../keys/key-source.js';
import { acceptToken } from '../pipeline/accept-token.js';
import { checkRevocation, runChecks } from '../pipeline/run-checks.js';
import { type VerifiedToken, verifyToken } from '../pipeline/verify-token.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { headerCount, headerValue, type RequestLike } from '../token/request.js';
import { compileVerifierOptions, type VerifierSettings } from './compile-verifier-options.js';
import type { VerifierOptions } from './verifier-options.js';

/** The readiness of every issuer. */
export interface VerifierHealth {
  /** True when every issuer has usable keys. */
  readonly ready: boolean;
  readonly issuers: readonly IssuerHealth[];
  /**
   * Signatures of fresh tokens checked so far on the event loop and on libuv's thread pool (see
   * the `signatureVerification` option), and fresh verifications in flight now.
   */
  readonly signatures: {
    readonly eventLoop: number;
    readonly threadPool: number;
    readonly inFlight: number;
  };
}

/**
 * Verifies service and user tokens. Build one per application with {@link createVerifier}:
 * keys are imported and options compiled once; each request does the minimum.
 *
 * A request goes through these steps, in order (see `pipeline/`): extract the token → decode →
 * issuer → signature → claims → (cached from here on) accept it for this request: time,
 * presentation proof (DPoP or certificate), callers → revocation → custom checks → context.
 */
export class Verifier implements Authenticator {
  /** How this verifier answers rejections; guards reject through it. */
  readonly rejector: AuthRejector;
  /** `'DPoP'` when the `dpop` option is set (see `Authenticator.httpOnly`), else `undefined`. */
  readonly httpOnly: 'DPoP' | undefined;
  readonly #settings: VerifierSettings;
  readonly #cache: VerifiedTokenCache<VerifiedToken> | undefined;
  /** True when a cache hit can be answered without awaiting anything (see `authenticateCached`). */
  readonly #syncHits: boolean;
  /** Metrics and spans; `undefined` without OpenTelemetry, and then every hook costs one check. */
  readonly #telemetry: Telemetry | undefined;

  /** @internal use {@link createVerifier} */
  constructor(settings: VerifierSettings) {
    this.#settings = settings;
    this.#telemetry = settings.telemetry;
    settings.telemetry?.observeHealth(() => this.health());
    this.rejector = settings.rejector;
    this.httpOnly = settings.dpop === undefined ? undefined : 'DPoP';
    this.#cache = settings.cacheMaxEntries > 0 ? new VerifiedTokenCache(settings.cacheMaxEntries) : undefined;
    this.#syncHits =
      this.#cache !== undefined &&
      settings.sessions === undefined &&
      settings.dpop === undefined &&
      settings.revocation === undefined &&
      settings.checks.length === 0;
  }

  /** The `realm` of challenges, if configured. */
  get realm(): string | undefined {
    return this.rejector.realm;
  }

  /**
   * Extracts the token from a request (by default `Authorization: Bearer`) and verifies it.
   *
   * @returns the auth context, or `undefined` for a request without token when `optional` is set
   * @throws {AuthError} for every rejection; anything else thrown is a bug or a custom check's error
   */
  authenticate(request: RequestLike, options: AuthenticateOptions = {}): Promise<AuthContext | undefined> {
    const telemetry = this.#telemetry;
    if (telemetry === undefined) return this.#authenticate(request, options);
    return telemetry.authenticate(request, () => this.#authenticate(request, options));
  }

  /** {@link Verifier.authenticate}, without telemetry: session → extract → verify → on behalf of. */
  async #authenticate(request: RequestLike, options: AuthenticateOptions): Promise<AuthContext | undefined> {
    const { sessions, delegation } = this.#settings;
    if (sessions !== undefined) {
      const session = await this.#session(sessions, request);
      if (session !== undefined) return session;
    }
    let presentation: TokenPresentation = 'Bearer';
    let token: string | undefined;
    try {
      ({ token, presentation } = this.#extract(request));
      if (token === undefined) {
        if (options.optional) return undefined;
        throw new AuthError('missing_token');
      }
    } catch (error) {
      throw this.rejector.reject(error, {}, presentation);
    }
    const context = await this.#verify(token, request, presentation);
    const header = delegation?.header;
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
    const settings = this.#settings;
    const started = this.#telemetry?.clock() ?? 0;
    try {
      const header = settings.delegation?.header;
      if (header !== undefined && headerCount(request, header) > 0) return undefined;
      // Without the character check: only a token already verified (and so well-formed) can hit.
      const token = settings.extraction.candidate(request);
      if (token === undefined) return undefined;
      const nowMs = settings.now();
      const entry = this.#cache?.get(token, nowMs);
      const verified = entry === undefined ? undefined : this.#current(token, entry);
      if (verified === undefined || verified instanceof Promise) {
        // authenticate() joins a refresh and reports its outcome.
        verified?.catch(() => {});
        return undefined;
      }
      acceptToken(verified, token, request, 'Bearer', nowMs, settings);
      this.rejector.accepted(verified.identity, true);
      this.#telemetry?.acceptedCached(request, verified.context, started);
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
    const telemetry = this.#telemetry;
    if (telemetry === undefined) return this.#verify(token, request, 'Bearer');
    return telemetry.authenticate(request, () =>
      this.#verify(token, request, 'Bearer'),
    ) as Promise<AuthContext>;
  }

  /**
   * Fetches every remote issuer's keys now (for start-up) and resolves when all have keys.
   * @throws {AuthError} `keys_unavailable` when an issuer's keys cannot be fetched
   */
  async ready(): Promise<void> {
    await Promise.all([...this.#settings.issuers.values()].map((issuer) => issuer.keys.ready()));
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
    return this.#settings.dpop?.nonce(this.#settings.now());
  }

  /** Stops background key refreshes (see `backgroundRefresh`) and the key-set age gauge; call it on shutdown. */
  close(): void {
    for (const issuer of this.#settings.issuers.values()) issuer.keys.close?.();
    this.#telemetry?.close();
  }

  /** Readiness of each issuer's keys, for health endpoints. Never fetches. */
  health(): VerifierHealth {
    const issuers = [...this.#settings.issuers.values()].map((issuer) => issuer.keys.health());
    const { signatures } = this.#settings;
    return {
      ready: issuers.every((issuer) => issuer.ready),
      issuers,
      signatures: { ...signatures.checked, inFlight: signatures.inFlight },
    };
  }

  /** Step 1, extract: `Authorization: DPoP` (with the `dpop` option) or the bearer token. */
  #extract(request: RequestLike): { token: string | undefined; presentation: TokenPresentation } {
    const { dpop, extraction } = this.#settings;
    if (dpop === undefined) return { token: extraction.extract(request), presentation: 'Bearer' };
    const presented = extractDpopOrBearerToken(request, {
      queryParameter: extraction.queryParameter,
      maxTokenLength: extraction.maxTokenLength,
    });
    return { token: presented?.token, presentation: presented?.scheme ?? 'Bearer' };
  }

  /**
   * A cached token, if its key is still current; a promise when the key set must be refreshed
   * first (a cache hit must still notice a key that left the set).
   */
  #current(
    token: string,
    verified: VerifiedToken,
  ): VerifiedToken | Promise<VerifiedToken | undefined> | undefined {
    const refreshing = verified.issuer.keys.ensureFresh();
    if (refreshing !== undefined) return refreshing.then(() => this.#stillCurrent(token, verified));
    return this.#stillCurrent(token, verified);
  }

  #stillCurrent(token: string, verified: VerifiedToken): VerifiedToken | undefined {
    if (verified.key.current) return verified;
    this.#cache?.delete(token);
    return undefined;
  }

  /** Steps 2 to 8 for one token: verified (or cached) → accepted for this request → revocation → checks. */
  async #verify(
    token: string,
    request: RequestLike | undefined,
    presentation: TokenPresentation,
  ): Promise<AuthContext> {
    const settings = this.#settings;
    const nowMs = settings.now();
    let identity: RequestIdentity = {};
    try {
      if (typeof token !== 'string' || token === '') throw new AuthError('missing_token');
      if (token.length > settings.extraction.maxTokenLength) {
        throw new AuthError('malformed_request', { description: 'token too large' });
      }
      const entry = this.#cache?.get(token, nowMs);
      let verified: VerifiedToken | undefined;
      if (entry !== undefined) {
        identity = entry.identity;
        const current = this.#current(token, entry);
        verified = current instanceof Promise ? await current : current;
      }
      const cached = verified !== undefined;
      if (this.#cache !== undefined) this.#telemetry?.cacheLookup(cached);
      if (verified === undefined) {
        // Counted in flight from here, so that overlapping fresh verifications move to the thread pool.
        settings.signatures.started();
        try {
          verified = await verifyToken(token, nowMs / 1000, settings, (known) => {
            identity = known;
          });
        } finally {
          settings.signatures.finished();
        }
        this.#cache?.set(token, verified);
      }
      identity = verified.identity;
      const proving = acceptToken(verified, token, request, presentation, nowMs, settings);
      if (proving !== undefined) await proving;
      const { context } = verified;
      if (settings.revocation !== undefined) await checkRevocation(settings.revocation, context);
      if (settings.checks.length > 0) await runChecks(settings.checks, context, request);
      this.rejector.accepted(identity, cached);
      return context;
    } catch (error) {
      throw this.#reject(error, identity, presentation);
    }
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
      throw this.#reject(error, identityOf(context));
    }
    const user = await this.#verify(token, request, 'forwarded');
    if (user.kind !== 'user') {
      throw this.#reject(
        new AuthError('invalid_token_type', { description: 'the forwarded token is not a user token' }),
        identityOf(user),
      );
    }
    return context.withUser(user);
  }

  /** Step 0, with the `sessions` option: an existing session, before any token. */
  async #session(check: SessionCheck, request: RequestLike): Promise<AuthContext | undefined> {
    const settings = this.#settings;
    let identity: RequestIdentity = { kind: 'user' };
    try {
      const result = await check(request);
      if (result === undefined) return undefined;
      const context = buildAuthContext({ ...result, kind: 'user' }, settings.grants.roles, {
        scheme: 'Bearer',
        rejector: this.rejector,
      });
      identity = identityOf(context);
      await runChecks(settings.checks, context, request);
      this.rejector.accepted(identity);
      return context;
    } catch (error) {
      throw this.#reject(error, identity);
    }
  }

  /** The rejector's answer to `error`, noted for the telemetry with who it was for. */
  #reject(error: unknown, identity: RequestIdentity, presentation?: TokenPresentation): unknown {
    const answer = this.rejector.reject(error, identity, presentation);
    this.#telemetry?.rejected(answer, identity);
    return answer;
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
  return new Verifier(compileVerifierOptions(options));
}
