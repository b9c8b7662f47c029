import { AuthError } from '../errors.js';
import type { AuthEventListener } from '../events.js';
import type { TokenHeader } from '../token/decode-token.js';
import { FetchJsonError, fetchJson } from './fetch-json.js';
import { createKeyEntry, importPublicKey, jwkFingerprint, type KeyEntry } from './key-entry.js';
import { duplicateKidReason, findAmbiguousKids } from './key-set.js';
import { type IssuerHealth, type KeySource, selectKeys } from './key-source.js';

/** Compiled settings of one remote key source; all durations in milliseconds. */
export interface RemoteKeySourceSettings {
  readonly issuer: string;
  /** Where the keys are, or undefined to find `jwks_uri` through the issuer's metadata. */
  readonly jwksUri: URL | undefined;
  readonly allowInsecureHttp: boolean;
  readonly allowedAlgorithms: ReadonlySet<string>;
  readonly cacheMaxAge: number;
  /** Longest back-off between two attempts after failed fetches. */
  readonly cooldown: number;
  /** Least time from the start of the last fetch to a refetch for an unknown `kid`. */
  readonly unknownKidInterval: number;
  /** Most refetches for unknown `kid`s started in any 60 seconds. */
  readonly unknownKidFetchesPerMinute: number;
  readonly timeout: number;
  readonly maxStale: number;
  readonly maxResponseBytes: number;
  readonly maxKeys: number;
  /** Fetch at construction and refresh on a timer before the keys go stale. */
  readonly backgroundRefresh: boolean;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
  /** A number in [0, 1), for the back-off jitter. */
  readonly random: () => number;
  readonly emit: AuthEventListener;
}

/** Share of the max age after which a request triggers a refresh without waiting for it. */
const REFRESH_AHEAD = 0.8;
/** First retry after a failed fetch; each further failure doubles it, up to the cap. */
const RETRY_BASE = 1000;
/**
 * Cap of the back-off while no key can be served (none fetched yet, or past `maxStale`): every
 * request fails meanwhile, so a key server that comes back is noticed within this long.
 */
const RETRY_CAP_WITHOUT_KEYS = 2000;
/** Each back-off delay is cut by up to this share at random, so replicas do not retry in step. */
const RETRY_JITTER = 0.25;
/** The window of `unknownKidFetchesPerMinute`. */
const MINUTE = 60_000;

/**
 * Keys fetched from a JWKS URL (given, or discovered through OpenID Connect discovery or
 * RFC 8414 metadata).
 *
 * - A JWKS in which one `kid` names two different keys is refused as a whole, like a document
 *   without usable keys (see `findAmbiguousKids`); the same key listed twice is fine.
 * - A request whose key is cached never waits for a fetch: past 80% of `cacheMaxAge` it starts a
 *   refresh in the background, and past all of it the keys keep serving (stale) for up to
 *   `maxStale` while that refresh runs or fails. Only a request with no usable key (none fetched
 *   yet, or past `maxStale`) waits for a fetch.
 * - After a failed fetch the next attempt is allowed after a back-off with jitter: about 1 s,
 *   doubling with each further failure, up to `cooldown` while stale keys serve and up to 2 s
 *   while nothing can be served. A failure is never cached as an answer.
 * - An unknown `kid` while the last fetch succeeded refetches at once (the issuer may have just
 *   rotated), at most once per `unknownKidInterval` since the last fetch began and at most
 *   `unknownKidFetchesPerMinute` times in any minute; concurrent requests share one fetch
 *   (single flight). An unknown `kid` is 401 `unknown_key` only when the key server answered:
 *   while the last fetch failed it is 503 `keys_unavailable`, since the key may have been
 *   published during the outage.
 * - Every 503 carries `Retry-After`: the seconds until the next attempt is allowed, at least 1.
 */
export class RemoteKeySource implements KeySource {
  readonly #settings: RemoteKeySourceSettings;
  #entries: KeyEntry[] = [];
  #byFingerprint = new Map<string, KeyEntry>();
  #jwksUri: URL | undefined;
  /** End of the last successful fetch. */
  #fetchedAt: number | undefined;
  /** Start of the last fetch, whatever its outcome. */
  #startedAt: number | undefined;
  /** Failed fetches since the last success; 0 when the last fetch succeeded. */
  #failures = 0;
  /** End of the last failed fetch. */
  #failedAt = 0;
  /** This back-off's share of its nominal delay, in [1 − RETRY_JITTER, 1]. */
  #jitter = 1;
  #lastError: string | undefined;
  /** Starts of the refetches for unknown kids in the last minute, oldest first. */
  #kidFetches: number[] = [];
  #inflight: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(settings: RemoteKeySourceSettings) {
    this.#settings = settings;
    this.#jwksUri = settings.jwksUri;
    if (settings.backgroundRefresh) void this.#refresh();
  }

  /** Stops background refreshing. Verification keeps working, refreshing on demand. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  getKeys(header: TokenHeader): readonly KeyEntry[] | Promise<readonly KeyEntry[]> {
    const now = this.#settings.now();
    if (!this.#usable(now)) return this.#getKeysAfterFetch(header);
    this.#refreshAhead(now);
    const keys = selectKeys(this.#entries, header);
    if (keys.length > 0) return keys;
    if (header.kid === undefined) throw new AuthError('unknown_key');
    return this.#getUnknownKid(header);
  }

  /**
   * An explicit call (start-up, readiness probe): waits for the fetch under way, or fetches when
   * the keys are missing or past their max age, unless a back-off after a failure holds it (so
   * that frequent probes cannot flood a failing key server). Resolves while the keys are usable.
   */
  async ready(): Promise<void> {
    const now = this.#settings.now();
    const age = this.#fetchedAt === undefined ? Infinity : now - this.#fetchedAt;
    if (this.#inflight !== undefined) await this.#inflight;
    else if (age > this.#settings.cacheMaxAge && this.#retryDue(now)) await this.#refresh();
    if (!this.#usable(this.#settings.now())) throw this.#unavailable();
  }

  health(): IssuerHealth {
    const now = this.#settings.now();
    const age = this.#fetchedAt === undefined ? undefined : now - this.#fetchedAt;
    return {
      issuer: this.#settings.issuer,
      source: 'remote',
      ready: this.#usable(now),
      keys: this.#entries.length,
      ...(this.#fetchedAt === undefined ? {} : { fetchedAt: this.#fetchedAt }),
      ...(age === undefined ? {} : { stale: age > this.#settings.cacheMaxAge }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  ensureFresh(): Promise<void> | undefined {
    const now = this.#settings.now();
    if (!this.#usable(now)) return this.#fetchIfDue();
    this.#refreshAhead(now);
    return undefined;
  }

  /** No usable key: wait for the fetch under way, or start one if the back-off allows. */
  async #fetchIfDue(): Promise<void> {
    if (this.#inflight !== undefined) await this.#inflight;
    else if (this.#retryDue(this.#settings.now())) await this.#refresh();
    if (!this.#usable(this.#settings.now())) throw this.#unavailable();
  }

  async #getKeysAfterFetch(header: TokenHeader): Promise<readonly KeyEntry[]> {
    await this.#fetchIfDue();
    const keys = selectKeys(this.#entries, header);
    if (keys.length > 0) return keys;
    if (header.kid === undefined) throw new AuthError('unknown_key');
    return this.#getUnknownKid(header);
  }

  /**
   * A `kid` not in the cached set. The issuer may have just rotated: refetch when allowed. The
   * answer is 401 only if the key server answered; if it could not be reached, the key may have
   * been published meanwhile, so the request is told to come back (503).
   */
  async #getUnknownKid(header: TokenHeader): Promise<readonly KeyEntry[]> {
    if (this.#inflight !== undefined) {
      await this.#inflight;
      const keys = selectKeys(this.#entries, header);
      if (keys.length > 0) return keys;
    }
    const fetch = this.#inflight ?? this.#refetchForUnknownKid(this.#settings.now());
    if (fetch !== undefined) {
      await fetch;
      const keys = selectKeys(this.#entries, header);
      if (keys.length > 0) return keys;
    }
    if (this.#failures > 0 || !this.#usable(this.#settings.now())) throw this.#unavailable();
    throw new AuthError('unknown_key');
  }

  /** True while the keys may verify tokens: fetched, and no older than `cacheMaxAge + maxStale`. */
  #usable(now: number): boolean {
    if (this.#fetchedAt === undefined) return false;
    return now - this.#fetchedAt <= this.#settings.cacheMaxAge + this.#settings.maxStale;
  }

  /** Past 80% of the max age (stale included), one refresh in the background; nobody waits for it. */
  #refreshAhead(now: number): void {
    if (this.#inflight !== undefined || this.#fetchedAt === undefined) return;
    if (now - this.#fetchedAt <= this.#settings.cacheMaxAge * REFRESH_AHEAD) return;
    if (this.#retryDue(now)) void this.#refresh();
  }

  /** Earliest start of the next fetch after failures; undefined when the last fetch succeeded. */
  #retryAt(now: number): number | undefined {
    if (this.#failures === 0) return undefined;
    const { cooldown } = this.#settings;
    const cap = this.#usable(now) ? cooldown : Math.min(cooldown, RETRY_CAP_WITHOUT_KEYS);
    const delay = Math.min(cap, Math.min(RETRY_BASE, cap) * 2 ** Math.min(this.#failures - 1, 20));
    return this.#failedAt + Math.ceil(delay * this.#jitter);
  }

  #retryDue(now: number): boolean {
    const at = this.#retryAt(now);
    return at === undefined || now >= at;
  }

  /**
   * The fetch an unknown kid may start now: after a failure, the retry once its back-off has
   * passed; after a success, a refetch once `unknownKidInterval` has passed since the last fetch
   * began, if the minute's budget is not spent. Undefined when none is allowed.
   */
  #refetchForUnknownKid(now: number): Promise<void> | undefined {
    if (this.#failures > 0) return this.#retryDue(now) ? this.#refresh() : undefined;
    const { unknownKidInterval, unknownKidFetchesPerMinute } = this.#settings;
    if (this.#startedAt !== undefined && now - this.#startedAt < unknownKidInterval) return undefined;
    while (this.#kidFetches.length > 0 && now - (this.#kidFetches[0] as number) >= MINUTE) {
      this.#kidFetches.shift();
    }
    if (this.#kidFetches.length >= unknownKidFetchesPerMinute) return undefined;
    this.#kidFetches.push(now);
    return this.#refresh();
  }

  /** 503 `keys_unavailable`, with the seconds until the next fetch is allowed (at least 1). */
  #unavailable(): AuthError {
    const now = this.#settings.now();
    const wait = Math.max(0, (this.#retryAt(now) ?? now) - now);
    return new AuthError('keys_unavailable', {
      retryAfter: Math.max(1, Math.ceil(wait / 1000)),
      ...(this.#lastError === undefined ? {} : { cause: new Error(this.#lastError) }),
    });
  }

  /** Single flight: every caller during a fetch shares it. Never rejects. */
  #refresh(): Promise<void> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
      this.#scheduleRefresh();
    });
    return this.#inflight;
  }

  /** With background refresh: the next fetch, before the keys go stale, or when the back-off ends. */
  #scheduleRefresh(): void {
    if (!this.#settings.backgroundRefresh || this.#closed) return;
    const now = this.#settings.now();
    const { cacheMaxAge, maxStale } = this.#settings;
    let delay = (this.#retryAt(now) ?? now + cacheMaxAge * REFRESH_AHEAD) - now;
    // Stale keys back off up to the cooldown, but not past the moment they stop serving (from
    // then on the shorter back-off of an issuer without usable keys applies).
    const expiry = this.#fetchedAt === undefined ? undefined : this.#fetchedAt + cacheMaxAge + maxStale + 1;
    if (this.#failures > 0 && expiry !== undefined && expiry > now) delay = Math.min(delay, expiry - now);
    clearTimeout(this.#timer);
    // unref: a pending refresh never keeps the process alive.
    this.#timer = setTimeout(() => void this.#refresh(), Math.max(0, delay)).unref();
  }

  async #load(): Promise<void> {
    const { issuer, emit } = this.#settings;
    this.#startedAt = this.#settings.now();
    try {
      const uri = this.#jwksUri ?? (await this.#discover());
      this.#jwksUri = uri;
      const document = await this.#get(uri);
      const skipped = this.#install(document);
      this.#fetchedAt = this.#settings.now();
      this.#failures = 0;
      this.#lastError = undefined;
      emit({ type: 'keys_refreshed', issuer, keys: this.#entries.length, skipped });
    } catch (error) {
      const now = this.#settings.now();
      this.#lastError = error instanceof FetchJsonError ? error.reason : 'failed';
      this.#failures += 1;
      this.#failedAt = now;
      this.#jitter = 1 - RETRY_JITTER * this.#settings.random();
      emit({
        type: 'keys_fetch_failed',
        issuer,
        reason: this.#lastError,
        servingStaleKeys: this.#usable(now),
        retryInMs: Math.max(0, (this.#retryAt(now) as number) - now),
      });
    }
  }

  #get(url: URL): Promise<unknown> {
    const { fetch, timeout, maxResponseBytes } = this.#settings;
    return fetchJson(url, { fetch, timeoutMs: timeout, maxBytes: maxResponseBytes });
  }

  async #discover(): Promise<URL> {
    const { issuer } = this.#settings;
    let metadata: unknown;
    try {
      metadata = await this.#get(metadataUrl(issuer, 'openid-configuration'));
    } catch (error) {
      if (!(error instanceof FetchJsonError) || error.httpStatus !== 404) throw error;
      metadata = await this.#get(metadataUrl(issuer, 'oauth-authorization-server'));
    }
    const { issuer: advertised, jwks_uri: jwksUri } = (metadata ?? {}) as Record<string, unknown>;
    // RFC 8414 §3.3 / OIDC Discovery §4.3: the metadata must name the issuer it was fetched for.
    if (advertised !== issuer) throw new FetchJsonError('metadata names another issuer');
    if (typeof jwksUri !== 'string') throw new FetchJsonError('metadata has no jwks_uri');
    let url: URL;
    try {
      url = new URL(jwksUri);
    } catch (cause) {
      throw new FetchJsonError('metadata has an invalid jwks_uri', { cause });
    }
    if (!isAllowedUrl(url, this.#settings.allowInsecureHttp)) {
      throw new FetchJsonError('metadata jwks_uri is not https');
    }
    return url;
  }

  /** Replaces the key set; keys unchanged since the last fetch keep their identity. */
  #install(document: unknown): string[] {
    const keys = (document as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new FetchJsonError('answered a document without keys');
    const skipped: string[] = [];
    const next = new Map<string, KeyEntry>();
    for (const [index, jwk] of keys.entries()) {
      if (next.size >= this.#settings.maxKeys) {
        skipped.push(`keys past the first ${this.#settings.maxKeys} were ignored`);
        break;
      }
      const entry = this.#entryFor(jwk);
      if (typeof entry === 'string') skipped.push(`key ${index}: ${entry}`);
      else next.set(jwkFingerprint(jwk as Record<string, unknown>), entry);
    }
    if (next.size === 0) throw new FetchJsonError('answered no usable keys');
    // Wycheproof DuplicateKid: a kid naming two different keys makes the whole set ambiguous, so
    // it is refused like any other invalid document (the last good keys, if any, keep serving).
    const [ambiguous] = findAmbiguousKids([...next.values()]);
    if (ambiguous !== undefined) throw new FetchJsonError(duplicateKidReason(ambiguous));
    for (const [fingerprint, entry] of this.#byFingerprint) {
      if (!next.has(fingerprint)) entry.current = false;
    }
    this.#byFingerprint = next;
    this.#entries = [...next.values()];
    return skipped;
  }

  #entryFor(jwk: unknown): KeyEntry | string {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'not a JWK object';
    const fields = jwk as Record<string, unknown>;
    const existing = this.#byFingerprint.get(jwkFingerprint(fields));
    if (existing) return existing;
    if (fields.kid !== undefined && typeof fields.kid !== 'string') return 'kid is not a string';
    try {
      return createKeyEntry(importPublicKey(fields), {
        kid: fields.kid,
        alg: fields.alg,
        use: fields.use,
        keyOps: fields.key_ops,
        allowed: this.#settings.allowedAlgorithms,
      });
    } catch {
      return 'not a valid public key';
    }
  }
}

/** OIDC Discovery appends the well-known path; RFC 8414 §3 inserts it before the issuer's path. */
function metadataUrl(issuer: string, name: 'openid-configuration' | 'oauth-authorization-server'): URL {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  url.pathname =
    name === 'openid-configuration'
      ? `${path}/.well-known/openid-configuration`
      : `/.well-known/oauth-authorization-server${path}`;
  return url;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);
// 127.0.0.0/8 as an IPv4 literal (the URL parser has already normalised 127.1, 0x7f.1, ...), never
// a DNS name that merely starts with "127.", such as 127.0.0.1.nip.io.
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** https everywhere; http only on loopback or when explicitly allowed. */
export function isAllowedUrl(url: URL, allowInsecureHttp: boolean): boolean {
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  return allowInsecureHttp || LOOPBACK_HOSTS.has(url.hostname) || LOOPBACK_V4.test(url.hostname);
}
