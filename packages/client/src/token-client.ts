import { type Duration, parseDuration } from '@org/auth-core';
import { optionKeys } from '@org/auth-core/adapter';
import { AuthConfigError } from './errors.js';
import { checkOptions } from './lib/options.js';
import { type CooldownPolicy, cooldownDelay } from './lib/retry.js';
import type { IssuedToken, TokenRequest, TokenSource } from './sources/token-source.js';

/** Options of {@link createTokenClient}. */
export interface TokenClientOptions {
  /** Where tokens come from. */
  readonly source: TokenSource;
  /**
   * How long before expiry a cached token is refreshed. Default `'60s'`, capped at half the
   * token's lifetime so short-lived tokens are still reused. Inside the margin callers keep
   * getting the cached token at once while one refresh runs in the background.
   */
  readonly refreshMargin?: Duration;
  /**
   * How long to wait after a failed refresh before the next one. Each further failure in a row
   * doubles the wait, up to `maxFailureCooldown`, and every wait is a random value between half
   * and all of it, so that replicas do not retry in step. Meanwhile a still-valid token keeps
   * being used, and callers without one get the last failure at once. Default `'1s'`.
   */
  readonly failureCooldown?: Duration;
  /** Longest wait between two failed refreshes (see `failureCooldown`). Default `'30s'`. */
  readonly maxFailureCooldown?: Duration;
  /** Most cached audience/scope pairs; the oldest is dropped beyond it. Default `1000`. */
  readonly maxEntries?: number;
  /**
   * Called after every failed refresh (in the background or not), so that operators see them:
   * log it, count it. It is given the source's error and {@link RefreshErrorInfo}, never a token
   * or a secret (the package's own sources never put one in an error). It is called once the
   * failure is recorded, and never fails a caller: what it throws, or a promise it returns that
   * rejects, is ignored. Callers holding a valid token never wait for it; keep it quick anyway, as
   * callers waiting for that refresh get its error after it returns. Default: none.
   *
   * @example
   * ```ts
   * onRefreshError: (error, { audience, attempt, nextAttemptInMs, servingCachedToken }) =>
   *   log.warn({ err: error, audience, attempt, nextAttemptInMs, servingCachedToken }, 'token refresh failed'),
   * ```
   */
  readonly onRefreshError?: (error: unknown, info: RefreshErrorInfo) => void;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** What {@link TokenClientOptions.onRefreshError} is told about a failed refresh. */
export interface RefreshErrorInfo {
  /** The audience whose token could not be had. */
  readonly audience: string;
  /** The scope asked for, if any. */
  readonly scope?: string;
  /** Failed refreshes in a row for this audience and scope, this one included: `1` for the first. */
  readonly attempt: number;
  /**
   * Milliseconds until the next refresh may start: the back-off after this failure, jitter
   * included. Callers without a valid token get this failure at once until then.
   */
  readonly nextAttemptInMs: number;
  /** `true` when a still-valid token keeps being handed out meanwhile, so no request fails yet. */
  readonly servingCachedToken: boolean;
}

/** Options of {@link TokenClient.getToken}. */
export interface GetTokenOptions {
  /** Scope to request; a separate cache entry per scope. */
  readonly scope?: string;
  /**
   * A token the receiver just rejected (e.g. a 401 `invalid_token`): if it is still the cached
   * one, a new token is minted or fetched now.
   */
  readonly rejectedToken?: string;
}

const OPTIONS = optionKeys<TokenClientOptions>({
  source: true,
  refreshMargin: true,
  failureCooldown: true,
  maxFailureCooldown: true,
  maxEntries: true,
  onRefreshError: true,
  now: true,
});
const GET_TOKEN_OPTIONS = optionKeys<GetTokenOptions>({ scope: true, rejectedToken: true });
const INVALIDATE_OPTIONS = optionKeys<Pick<GetTokenOptions, 'scope'>>({ scope: true });

/** What the cache knows about one audience and scope. */
interface Slot {
  readonly key: string;
  /** The latest token; kept while it is valid, even when refreshes fail. */
  token: IssuedToken | undefined;
  /** When `token` enters the refresh margin. */
  refreshAt: number;
  /** The refresh under way, shared by every caller that has to wait for it (single flight). */
  flight: Promise<string> | undefined;
  /** Failed refreshes in a row. */
  failures: number;
  /** No refresh starts before this time: the back-off after a failure. */
  retryAt: number;
  /** The last refresh's failure, given at once to callers without a valid token during the back-off. */
  lastError: unknown;
}

/**
 * A per-audience token cache in front of a {@link TokenSource}.
 *
 * - A cached token is reused until `refreshMargin` before its expiry. Inside the margin it is
 *   still handed out at once while one refresh runs in the background; callers wait only when
 *   no valid token is left.
 * - Concurrent callers share one mint or fetch (single flight).
 * - A failed refresh keeps the still-valid token, and the next refresh waits for a back-off
 *   (`failureCooldown`, doubling up to `maxFailureCooldown`, with jitter). Callers that have no
 *   valid token and arrive during the back-off get the last failure at once instead of another
 *   request to the token endpoint.
 */
export class TokenClient {
  readonly #source: TokenSource;
  readonly #marginMs: number;
  readonly #cooldown: CooldownPolicy;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #onRefreshError: TokenClientOptions['onRefreshError'];
  readonly #slots = new Map<string, Slot>();

  /** Prefer {@link createTokenClient}. @throws {AuthConfigError} for invalid or unknown options */
  constructor(options: TokenClientOptions) {
    checkOptions(undefined, options, OPTIONS);
    if (typeof options.source?.getToken !== 'function') {
      throw new AuthConfigError(
        'source',
        'expected a token source (createSelfSignedSource, createClientCredentialsSource)',
      );
    }
    this.#source = options.source;
    this.#marginMs = parseDuration(options.refreshMargin ?? '60s', 'refreshMargin') * 1000;
    const baseMs = parseDuration(options.failureCooldown ?? '1s', 'failureCooldown') * 1000;
    const maxMs = parseDuration(options.maxFailureCooldown ?? '30s', 'maxFailureCooldown') * 1000;
    if (maxMs < baseMs)
      throw new AuthConfigError('maxFailureCooldown', 'must not be less than failureCooldown');
    this.#cooldown = { baseMs, maxMs };
    const maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new AuthConfigError('maxEntries', 'expected a positive integer');
    this.#maxEntries = maxEntries;
    this.#now = options.now ?? Date.now;
    if (options.onRefreshError !== undefined && typeof options.onRefreshError !== 'function')
      throw new AuthConfigError('onRefreshError', 'expected a function (error, info) => void');
    this.#onRefreshError = options.onRefreshError;
  }

  /**
   * A valid token for `audience`: the cached one while it is valid (starting a background refresh
   * once it is inside the refresh margin), else a freshly minted or fetched one.
   *
   * @throws {AuthConfigError} for an empty audience or unknown options
   * @throws {AuthClientError} when no token can be obtained and no valid one is cached; during
   *   the back-off after a failed refresh, at once and with that refresh's error
   * @example
   * ```ts
   * const token = await tokens.getToken('orders');
   * await grpcClient.call(request, { authorization: `Bearer ${token}` });
   * ```
   */
  getToken(audience: string, options: GetTokenOptions = {}): Promise<string> {
    if (typeof audience !== 'string' || audience === '') {
      return Promise.reject(new AuthConfigError('audience', 'expected one non-empty audience'));
    }
    try {
      checkOptions(undefined, options, GET_TOKEN_OPTIONS);
    } catch (error) {
      return Promise.reject(error);
    }
    const slot = this.#slot(cacheKey(audience, options.scope));
    const now = this.#now();
    const { token } = slot;
    if (token !== undefined && now < token.expiresAt && options.rejectedToken !== token.accessToken) {
      if (now >= slot.refreshAt && slot.flight === undefined && now >= slot.retryAt) {
        // In the background: its outcome is recorded in the slot, and nobody waits for it.
        void this.#refresh(slot, audience, options.scope);
      }
      return Promise.resolve(token.accessToken);
    }
    if (slot.flight !== undefined) return slot.flight;
    if (now < slot.retryAt) return Promise.reject(slot.lastError);
    return this.#refresh(slot, audience, options.scope);
  }

  /**
   * Drops the cached token of an audience (and scope), so the next call gets a new one. A
   * refresh under way and the back-off after a failed one stay.
   *
   * @throws {AuthConfigError} for unknown options
   */
  invalidate(audience: string, options: { readonly scope?: string } = {}): void {
    checkOptions(undefined, options, INVALIDATE_OPTIONS);
    const slot = this.#slots.get(cacheKey(audience, options.scope));
    if (slot !== undefined) slot.token = undefined;
  }

  /** Drops every cached token. Refreshes under way and back-offs after failed ones stay. */
  clear(): void {
    for (const slot of this.#slots.values()) slot.token = undefined;
  }

  /** The slot of a cache key, created (and the oldest dropped beyond `maxEntries`) if missing. */
  #slot(key: string): Slot {
    const existing = this.#slots.get(key);
    if (existing !== undefined) return existing;
    const slot: Slot = {
      key,
      token: undefined,
      refreshAt: 0,
      flight: undefined,
      failures: 0,
      retryAt: 0,
      lastError: undefined,
    };
    this.#slots.set(key, slot);
    if (this.#slots.size > this.#maxEntries) {
      const oldest = this.#slots.keys().next().value;
      if (oldest !== undefined) this.#slots.delete(oldest);
    }
    return slot;
  }

  /**
   * Starts the one refresh of a slot. The returned promise rejects when the refresh fails, but
   * is handled here too: a background refresh that nobody awaits never becomes an unhandled
   * rejection.
   */
  #refresh(slot: Slot, audience: string, scope: string | undefined): Promise<string> {
    const request: TokenRequest = scope === undefined ? { audience } : { audience, scope };
    // A source that throws instead of rejecting is a failed refresh like any other.
    const flight = new Promise<IssuedToken>((resolve) => resolve(this.#source.getToken(request))).then(
      (token) => {
        const now = this.#now();
        slot.flight = undefined;
        slot.token = token;
        slot.refreshAt = token.expiresAt - Math.min(this.#marginMs, (token.expiresAt - now) / 2);
        slot.failures = 0;
        slot.retryAt = 0;
        slot.lastError = undefined;
        // Least recently refreshed first, for eviction; an evicted slot is not brought back.
        if (this.#slots.get(slot.key) === slot) {
          this.#slots.delete(slot.key);
          this.#slots.set(slot.key, slot);
        }
        return token.accessToken;
      },
      (error: unknown) => {
        const now = this.#now();
        const backOff = cooldownDelay(this.#cooldown, slot.failures + 1);
        slot.flight = undefined;
        slot.failures += 1;
        slot.retryAt = now + backOff;
        slot.lastError = error;
        this.#reportRefreshError(error, {
          audience,
          ...(scope === undefined ? {} : { scope }),
          attempt: slot.failures,
          nextAttemptInMs: backOff,
          servingCachedToken: slot.token !== undefined && now < slot.token.expiresAt,
        });
        throw error;
      },
    );
    flight.catch(() => {});
    slot.flight = flight;
    return flight;
  }

  /** Tells `onRefreshError`, which may never break the refresh or a caller: its failures are dropped. */
  #reportRefreshError(error: unknown, info: RefreshErrorInfo): void {
    const hook = this.#onRefreshError;
    if (hook === undefined) return;
    try {
      const result: unknown = hook(error, info);
      // A hook may be async: its rejection is dropped too, never an unhandled rejection.
      if (typeof (result as { then?: unknown } | undefined)?.then === 'function')
        Promise.resolve(result).catch(() => {});
    } catch {
      // A logging hook that throws must not turn into a failed getToken.
    }
  }
}

function cacheKey(audience: string, scope: string | undefined): string {
  const scopes = scope === undefined ? '' : [...new Set(scope.split(' ').filter(Boolean))].sort().join(' ');
  return `${audience}\u0000${scopes}`;
}

/**
 * Creates a {@link TokenClient}: cached, single-flight tokens from a source, refreshed in the
 * background before they expire, with back-off after failed refreshes.
 *
 * @throws {AuthConfigError} for invalid or unknown options
 * @example
 * ```ts
 * const tokens = createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
 * const token = await tokens.getToken('orders');
 * ```
 */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  return new TokenClient(options);
}
