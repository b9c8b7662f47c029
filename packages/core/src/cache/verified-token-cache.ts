/**
 * A bounded map from token string to a verified result, with per-entry expiry. When full, the
 * oldest insertion goes first: a hit costs one look-up and never reorders the map.
 */
export class VerifiedTokenCache<V extends { readonly expiresAtMs: number }> {
  readonly #entries = new Map<string, V>();
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
    this.#entries.delete(token);
    this.#entries.set(token, value);
    if (this.#entries.size > this.#maxEntries) {
      // Map iteration order is insertion order: the first key is the least recently set.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  clear(): void {
    this.#entries.clear();
  }
}
