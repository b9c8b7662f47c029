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
  readonly cooldown: number;
  readonly timeout: number;
  readonly maxStale: number;
  readonly maxResponseBytes: number;
  readonly maxKeys: number;
  /** Fetch at construction and refresh on a timer before the keys go stale. */
  readonly backgroundRefresh: boolean;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
  readonly emit: AuthEventListener;
}

/** Share of the max age after which a request triggers a refresh without waiting for it. */
const REFRESH_AHEAD = 0.8;

/**
 * Keys fetched from a JWKS URL (given, or discovered through OpenID Connect discovery or
 * RFC 8414 metadata).
 *
 * - A JWKS in which one `kid` names two different keys is refused as a whole, like a document
 *   without usable keys (see `findAmbiguousKids`); the same key listed twice is fine.
 * - Keys are cached for `cacheMaxAge`; past 80% of it a request refreshes them in the
 *   background, past all of it a request waits for the refresh.
 * - An unknown `kid` triggers at most one refetch per `cooldown`; concurrent requests share
 *   one fetch (single flight). Failed fetches are throttled by the same cooldown.
 * - When the endpoint fails, the last good keys keep serving for `maxStale` past their max
 *   age; after that, and when no keys were ever fetched, requests fail with 503
 *   `keys_unavailable`, never 401. A failure is never cached as an answer.
 */
export class RemoteKeySource implements KeySource {
  readonly #settings: RemoteKeySourceSettings;
  #entries: KeyEntry[] = [];
  #byFingerprint = new Map<string, KeyEntry>();
  #jwksUri: URL | undefined;
  #fetchedAt: number | undefined;
  #lastAttemptAt: number | undefined;
  #lastError: string | undefined;
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

  async getKeys(header: TokenHeader): Promise<readonly KeyEntry[]> {
    await this.ensureFresh();
    let keys = selectKeys(this.#entries, header);
    if (keys.length === 0 && header.kid !== undefined && this.#mayFetch()) {
      // A key we have not seen yet: the issuer may have rotated. One refetch per cooldown.
      await this.#refresh();
      this.#throwIfUnusable();
      keys = selectKeys(this.#entries, header);
    }
    if (keys.length === 0) throw new AuthError('unknown_key');
    return keys;
  }

  /** An explicit call (start-up, readiness probe): fetches when the keys are missing or old, cooldown or not. */
  async ready(): Promise<void> {
    const age = this.#fetchedAt === undefined ? Infinity : this.#settings.now() - this.#fetchedAt;
    if (age > this.#settings.cacheMaxAge) await this.#refresh();
    this.#throwIfUnusable();
  }

  health(): IssuerHealth {
    const now = this.#settings.now();
    const age = this.#fetchedAt === undefined ? undefined : now - this.#fetchedAt;
    return {
      issuer: this.#settings.issuer,
      source: 'remote',
      ready: age !== undefined && age <= this.#settings.cacheMaxAge + this.#settings.maxStale,
      keys: this.#entries.length,
      ...(this.#fetchedAt === undefined ? {} : { fetchedAt: this.#fetchedAt }),
      ...(age === undefined ? {} : { stale: age > this.#settings.cacheMaxAge }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  ensureFresh(): Promise<void> | undefined {
    const { cacheMaxAge } = this.#settings;
    const age = this.#fetchedAt === undefined ? Infinity : this.#settings.now() - this.#fetchedAt;
    if (age > cacheMaxAge) return this.#refreshOrServeStale();
    if (age > cacheMaxAge * REFRESH_AHEAD && this.#mayFetch()) void this.#refresh();
    return undefined;
  }

  async #refreshOrServeStale(): Promise<void> {
    if (this.#inflight !== undefined || this.#mayFetch()) await this.#refresh();
    this.#throwIfUnusable();
  }

  #throwIfUnusable(): void {
    const { cacheMaxAge, maxStale, cooldown } = this.#settings;
    const age = this.#fetchedAt === undefined ? Infinity : this.#settings.now() - this.#fetchedAt;
    if (age > cacheMaxAge + maxStale) {
      throw new AuthError('keys_unavailable', {
        retryAfter: cooldown / 1000,
        ...(this.#lastError === undefined ? {} : { cause: new Error(this.#lastError) }),
      });
    }
  }

  #mayFetch(): boolean {
    if (this.#inflight !== undefined) return true;
    if (this.#lastAttemptAt === undefined) return true;
    return this.#settings.now() - this.#lastAttemptAt >= this.#settings.cooldown;
  }

  /** Single flight: every caller during a fetch shares it. Never rejects. */
  #refresh(): Promise<void> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
      this.#scheduleRefresh();
    });
    return this.#inflight;
  }

  /** With background refresh: the next fetch, before the keys go stale (or after a cooldown). */
  #scheduleRefresh(): void {
    if (!this.#settings.backgroundRefresh || this.#closed) return;
    const { cacheMaxAge, cooldown } = this.#settings;
    const delay = this.#lastError === undefined ? cacheMaxAge * REFRESH_AHEAD : Math.max(cooldown, 1000);
    clearTimeout(this.#timer);
    // unref: a pending refresh never keeps the process alive.
    this.#timer = setTimeout(() => void this.#refresh(), delay).unref();
  }

  async #load(): Promise<void> {
    const { issuer, emit } = this.#settings;
    this.#lastAttemptAt = this.#settings.now();
    try {
      const uri = this.#jwksUri ?? (await this.#discover());
      this.#jwksUri = uri;
      const document = await this.#get(uri);
      const skipped = this.#install(document);
      this.#fetchedAt = this.#settings.now();
      this.#lastError = undefined;
      emit({ type: 'keys_refreshed', issuer, keys: this.#entries.length, skipped });
    } catch (error) {
      this.#lastError = error instanceof FetchJsonError ? error.reason : 'failed';
      emit({
        type: 'keys_fetch_failed',
        issuer,
        reason: this.#lastError,
        servingStaleKeys: this.#entries.length > 0,
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
