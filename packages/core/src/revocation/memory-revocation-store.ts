import { AuthConfigError } from '../errors.js';
import type { RevocationQuery, RevocationStore } from './revocation-store.js';

interface Entry {
  /** Seconds since epoch after which the entry is forgotten. */
  readonly until: number;
  /** Only tokens of this issuer, when set. */
  readonly issuer: string | undefined;
  /** Subject entries: tokens issued at or before this time (seconds) are revoked. */
  readonly before: number;
}

/** Options of {@link MemoryRevocationStore}. */
export interface MemoryRevocationStoreOptions {
  /** Clock in milliseconds since epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Options of {@link MemoryRevocationStore.revokeToken}. */
export interface RevokeTokenOptions {
  /** When the token expires (`exp`, seconds since epoch): the entry is kept until then. */
  readonly expiresAt: number;
  /** Revoke the id only for this issuer. Default: for every issuer. */
  readonly issuer?: string;
}

/** Options of {@link MemoryRevocationStore.revokeSubject}. */
export interface RevokeSubjectOptions {
  /**
   * How long to remember the revocation (seconds since epoch): set it to the latest expiry of
   * any token the subject may hold, e.g. now plus your longest token lifetime.
   */
  readonly until: number;
  /** Revoke only for this issuer. Default: for every issuer. */
  readonly issuer?: string;
}

/**
 * An in-process revocation list. Entries expire on their own when the tokens they cover have
 * expired, so memory stays proportional to what is currently revoked.
 *
 * For several replicas, use a shared store (such as the Redis one) instead.
 *
 * @example
 * ```ts
 * const revocation = new MemoryRevocationStore();
 * const verifier = createVerifier({ ...options, revocation });
 * revocation.revokeToken(auth.tokenId!, { expiresAt: auth.expiresAt });
 * revocation.revokeSubject('spiffe://prod/ns/shop/sa/legacy', { until: Date.now() / 1000 + 3600 });
 * ```
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #tokens = new Map<string, Entry>();
  readonly #subjects = new Map<string, Entry>();
  readonly #now: () => number;
  #writes = 0;

  constructor(options: MemoryRevocationStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Revokes one token by its `jti`. */
  revokeToken(tokenId: string, options: RevokeTokenOptions): void {
    if (typeof tokenId !== 'string' || tokenId === '') {
      throw new AuthConfigError('tokenId', 'expected the token id (jti) as a non-empty string');
    }
    assertTime('expiresAt', options.expiresAt);
    this.#write(this.#tokens, tokenId, {
      until: options.expiresAt,
      issuer: options.issuer,
      before: Infinity,
    });
  }

  /** Revokes every token of `subject` issued up to now; tokens issued later are accepted again. */
  revokeSubject(subject: string, options: RevokeSubjectOptions): void {
    if (typeof subject !== 'string' || subject === '') {
      throw new AuthConfigError('subject', 'expected the subject (sub) as a non-empty string');
    }
    assertTime('until', options.until);
    this.#write(this.#subjects, subject, {
      until: options.until,
      issuer: options.issuer,
      before: this.#now() / 1000,
    });
  }

  /** Lifts a token revocation. */
  unrevokeToken(tokenId: string): void {
    this.#tokens.delete(tokenId);
  }

  /** Lifts a subject revocation. */
  unrevokeSubject(subject: string): void {
    this.#subjects.delete(subject);
  }

  /** Number of live entries (tokens and subjects). */
  get size(): number {
    this.#sweep();
    return this.#tokens.size + this.#subjects.size;
  }

  isRevoked(query: RevocationQuery): boolean {
    const now = this.#now() / 1000;
    if (query.tokenId !== undefined && applies(this.#tokens.get(query.tokenId), query, now)) return true;
    if (query.subject === undefined) return false;
    const entry = this.#subjects.get(query.subject);
    // A token without iat cannot prove it was issued after the revocation.
    return (
      applies(entry, query, now) && (query.issuedAt === undefined || query.issuedAt <= (entry?.before ?? 0))
    );
  }

  #write(map: Map<string, Entry>, key: string, entry: Entry): void {
    map.set(key, entry);
    // Sweep expired entries now and then, so the maps cannot grow without bound.
    if (++this.#writes % 256 === 0) this.#sweep();
  }

  #sweep(): void {
    const now = this.#now() / 1000;
    for (const map of [this.#tokens, this.#subjects]) {
      for (const [key, entry] of map) if (entry.until < now) map.delete(key);
    }
  }
}

function applies(entry: Entry | undefined, query: RevocationQuery, now: number): boolean {
  if (entry === undefined || entry.until < now) return false;
  return entry.issuer === undefined || entry.issuer === query.issuer;
}

function assertTime(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AuthConfigError(option, 'expected a time in seconds since the epoch (like the exp claim)');
  }
}
