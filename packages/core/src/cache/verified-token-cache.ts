import { FifoMap } from '../lib/fifo-map.js';

/**
 * A bounded map from token string to a verified result, with per-entry expiry. When full, the
 * oldest insertion goes first, in constant time: a hit costs one look-up and never reorders the
 * map, and a miss under a flood of fresh tokens costs one insertion and one eviction.
 */
export class VerifiedTokenCache<V extends { readonly expiresAtMs: number }> {
  readonly #entries = new FifoMap<string, V>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The live entry for `token`, or undefined; expired entries are dropped on the way. */
  get(token: string, nowMs: number): V | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry;
  }

  set(token: string, value: V): void {
    this.#entries.set(token, value);
    if (this.#entries.size > this.#maxEntries) this.#entries.deleteOldest();
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  clear(): void {
    this.#entries.clear();
  }
}
