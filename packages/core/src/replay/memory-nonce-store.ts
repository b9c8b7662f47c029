import { AuthConfigError } from '../errors.js';
import { FifoMap } from '../lib/fifo-map.js';
import type { NonceStore } from './nonce-store.js';

/** Options of {@link MemoryNonceStore}. */
export interface MemoryNonceStoreOptions {
  /**
   * The most values remembered at once. When it is reached with none expired, new values are
   * refused (503 `replay_check_unavailable`) rather than old ones forgotten, which would reopen
   * them to replay. Default 100,000 (about 10 MB).
   */
  readonly maxEntries?: number;
  /** Clock in milliseconds, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A {@link NonceStore} in this process's memory: right for a single replica. Expired values are
 * dropped as new ones arrive, so memory stays bounded by `maxEntries`.
 *
 * @example createHmacAuthenticator({ keys, nonces: new MemoryNonceStore({ maxEntries: 50_000 }) })
 */
export class MemoryNonceStore implements NonceStore {
  readonly #seen = new FifoMap<string, number>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  /** @throws {AuthConfigError} for an invalid option */
  constructor(options: MemoryNonceStoreOptions = {}) {
    const { maxEntries = 100_000, now = Date.now } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new AuthConfigError('maxEntries', 'expected a positive integer, such as 100000');
    }
    if (typeof now !== 'function')
      throw new AuthConfigError('now', 'expected a function returning milliseconds');
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  /** How many values are remembered now, expired ones included until they are swept. */
  get size(): number {
    return this.#seen.size;
  }

  useOnce(key: string, expiresAt: number): boolean {
    const now = this.#now() / 1000;
    const known = this.#seen.get(key);
    if (known !== undefined && known > now) return false;
    this.#dropExpiredFront(now);
    if (this.#seen.size >= this.#maxEntries) this.#sweep(now);
    if (this.#seen.size >= this.#maxEntries) {
      throw new Error(`nonce store full: ${this.#maxEntries} unexpired values`);
    }
    // Re-inserting moves the key to the end, keeping the map roughly in expiry order.
    this.#seen.set(key, expiresAt);
    return true;
  }

  /** Values arrive with about the same lifetime, so the oldest ones are at the front. */
  #dropExpiredFront(now: number): void {
    let oldest = this.#seen.oldestValue();
    while (oldest !== undefined && oldest <= now) {
      this.#seen.deleteOldest();
      oldest = this.#seen.oldestValue();
    }
  }

  #sweep(now: number): void {
    for (const [key, expiresAt] of this.#seen.entries()) {
      if (expiresAt <= now) this.#seen.delete(key);
    }
  }
}
