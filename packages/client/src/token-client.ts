import { type Duration, parseDuration } from '@org/auth-core';
import { AuthConfigError } from './errors.js';
import type { IssuedToken, TokenRequest, TokenSource } from './sources/token-source.js';

/** Options of {@link createTokenClient}. */
export interface TokenClientOptions {
  /** Where tokens come from. */
  readonly source: TokenSource;
  /**
   * How long before expiry a cached token is refreshed. Default `'60s'`, capped at half the
   * token's lifetime so short-lived tokens are still reused.
   */
  readonly refreshMargin?: Duration;
  /** After a failed refresh, how long a still-valid cached token is used before trying again. Default `'5s'`. */
  readonly failureCooldown?: Duration;
  /** Most cached audience/scope pairs; the oldest is dropped beyond it. Default `1000`. */
  readonly maxEntries?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
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

interface Entry {
  token: IssuedToken;
  obtainedAt: number;
  retryAfter: number;
}

/**
 * A per-audience token cache in front of a {@link TokenSource}. Tokens are reused until
 * `refreshMargin` before expiry, concurrent requests share one mint or fetch (single flight), and
 * when a refresh fails while the cached token is still valid, the cached token keeps being used.
 */
export class TokenClient {
  readonly #source: TokenSource;
  readonly #marginMs: number;
  readonly #cooldownMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<string>>();

  /** Prefer {@link createTokenClient}. @throws {AuthConfigError} for invalid options */
  constructor(options: TokenClientOptions) {
    if (typeof options !== 'object' || options === null)
      throw new AuthConfigError('options', 'expected an object');
    if (typeof options.source?.getToken !== 'function') {
      throw new AuthConfigError(
        'source',
        'expected a token source (createSelfSignedSource, createClientCredentialsSource)',
      );
    }
    this.#source = options.source;
    this.#marginMs = parseDuration(options.refreshMargin ?? '60s', 'refreshMargin') * 1000;
    this.#cooldownMs = parseDuration(options.failureCooldown ?? '5s', 'failureCooldown') * 1000;
    const maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new AuthConfigError('maxEntries', 'expected a positive integer');
    this.#maxEntries = maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /**
   * A valid token for `audience`, from the cache or freshly minted/fetched.
   *
   * @throws {AuthClientError} when no token can be obtained and no valid one is cached
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
    const key = cacheKey(audience, options.scope);
    const now = this.#now();
    const entry = this.#entries.get(key);
    const rejected = entry !== undefined && options.rejectedToken === entry.token.accessToken;
    if (entry !== undefined && !rejected) {
      if (now < this.#refreshAt(entry)) return Promise.resolve(entry.token.accessToken);
      if (now < entry.retryAfter && now < entry.token.expiresAt)
        return Promise.resolve(entry.token.accessToken);
    }
    const pending = this.#inflight.get(key);
    if (pending !== undefined) return pending;
    const request: TokenRequest =
      options.scope === undefined ? { audience } : { audience, scope: options.scope };
    const flight = this.#refresh(key, request, rejected ? undefined : entry).finally(() => {
      this.#inflight.delete(key);
    });
    this.#inflight.set(key, flight);
    return flight;
  }

  /** Drops the cached token of an audience (and scope), so the next call gets a new one. */
  invalidate(audience: string, options: { readonly scope?: string } = {}): void {
    this.#entries.delete(cacheKey(audience, options.scope));
  }

  /** Drops every cached token. */
  clear(): void {
    this.#entries.clear();
  }

  #refreshAt(entry: Entry): number {
    const lifetime = entry.token.expiresAt - entry.obtainedAt;
    return entry.token.expiresAt - Math.min(this.#marginMs, lifetime / 2);
  }

  async #refresh(key: string, request: TokenRequest, previous: Entry | undefined): Promise<string> {
    let token: IssuedToken;
    try {
      token = await this.#source.getToken(request);
    } catch (error) {
      // Keep serving a token that is still valid; try again after the cool-down.
      if (previous !== undefined && this.#now() < previous.token.expiresAt) {
        previous.retryAfter = this.#now() + this.#cooldownMs;
        return previous.token.accessToken;
      }
      throw error;
    }
    this.#entries.delete(key);
    this.#entries.set(key, { token, obtainedAt: this.#now(), retryAfter: 0 });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return token.accessToken;
  }
}

function cacheKey(audience: string, scope: string | undefined): string {
  const scopes = scope === undefined ? '' : [...new Set(scope.split(' ').filter(Boolean))].sort().join(' ');
  return `${audience}\u0000${scopes}`;
}

/**
 * Creates a {@link TokenClient}: cached, single-flight, refreshed-ahead tokens from a source.
 *
 * @example
 * ```ts
 * const tokens = createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
 * const token = await tokens.getToken('orders');
 * ```
 */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  return new TokenClient(options);
}
