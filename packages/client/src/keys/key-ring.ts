import { type Duration, parseDuration } from '@org/auth-core';
import { optionKeys } from '@org/auth-core/adapter';
import type { JWK } from 'jose';
import { AuthConfigError } from '../errors.js';
import { checkOptions } from '../lib/options.js';
import { type AsymmetricAlgorithm, generateSigningKey, type SigningKey } from './signing-key.js';

/** Options of {@link createKeyRing}. */
export interface KeyRingOptions {
  /** Algorithm of generated keys. Default `'ES256'`. */
  readonly alg?: AsymmetricAlgorithm;
  /**
   * How long a retired key stays published after the last token it signed expires, to cover
   * clock skew between services. Default `'1m'`.
   */
  readonly retireGrace?: Duration;
  /** Start from these keys instead of generating: `current` (and optionally `next`). */
  readonly current?: SigningKey;
  /** The key that will sign after the next rotation. Default: generated. */
  readonly next?: SigningKey;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

const OPTIONS = optionKeys<KeyRingOptions>({
  alg: true,
  retireGrace: true,
  current: true,
  next: true,
  now: true,
});

interface RetiredKey {
  readonly key: SigningKey;
  /** Milliseconds since the epoch after which no token signed by the key is still valid. */
  readonly unpublishAt: number;
}

/**
 * Signing keys with safe rotation: the **next** key is published before it ever signs, the
 * **current** key signs, and **previous** keys stay published until every token they signed has
 * expired. Serve {@link KeyRing.jwks} (e.g. with `createJwksHandler(ring)`) and sign with
 * {@link KeyRing.useCurrent} (the self-signed source does this for you).
 *
 * Rotate no more often than receivers refresh their JWKS cache (core's default `cacheMaxAge` is
 * 10 minutes), so the next key has reached them before it signs.
 */
export class KeyRing {
  readonly #alg: AsymmetricAlgorithm;
  readonly #graceMs: number;
  readonly #now: () => number;
  #current: SigningKey;
  #next: SigningKey;
  #currentLastExpiry = 0;
  #previous: RetiredKey[] = [];

  /**
   * Prefer {@link createKeyRing}, which generates the keys.
   * @throws {AuthConfigError} for invalid or unknown options
   */
  constructor(current: SigningKey, next: SigningKey, options: KeyRingOptions = {}) {
    checkOptions(undefined, options, OPTIONS);
    for (const [name, key] of [
      ['current', current],
      ['next', next],
    ] as const) {
      if (key.publicJwk === undefined) {
        throw new AuthConfigError(
          name,
          'a key ring holds asymmetric keys only (HS256 keys cannot be published)',
        );
      }
    }
    if (current.kid === next.kid) throw new AuthConfigError('next', 'must have another kid than current');
    this.#alg = options.alg ?? (current.alg as AsymmetricAlgorithm);
    this.#graceMs = parseDuration(options.retireGrace ?? '1m', 'retireGrace') * 1000;
    this.#now = options.now ?? Date.now;
    this.#current = current;
    this.#next = next;
  }

  /** The key that signs now. */
  get current(): SigningKey {
    return this.#current;
  }

  /** The key that signs after the next rotation (already published). */
  get next(): SigningKey {
    return this.#next;
  }

  /** Retired keys still published because tokens they signed may still be valid. */
  get previous(): readonly SigningKey[] {
    this.#prune();
    return this.#previous.map((entry) => entry.key);
  }

  /**
   * Returns the current key for a token that expires at `expiresAtMs`, and remembers that
   * expiry so the key stays published long enough after it is retired.
   */
  useCurrent(expiresAtMs: number): SigningKey {
    if (expiresAtMs > this.#currentLastExpiry) this.#currentLastExpiry = expiresAtMs;
    return this.#current;
  }

  /**
   * Rotates: `next` becomes `current`, `current` becomes a previous key (published until its
   * last token expires plus `retireGrace`), and a new `next` is generated and published.
   */
  async rotate(): Promise<void> {
    const fresh = await generateSigningKey({ alg: this.#alg });
    const retiring = this.#current;
    const unpublishAt = Math.max(this.#currentLastExpiry, this.#now()) + this.#graceMs;
    this.#previous.push({ key: retiring, unpublishAt });
    this.#current = this.#next;
    this.#next = fresh;
    this.#currentLastExpiry = 0;
    this.#prune();
  }

  /** Every published key: next, current and the previous keys still needed. */
  publishedKeys(): readonly SigningKey[] {
    this.#prune();
    return [this.#next, this.#current, ...this.#previous.map((entry) => entry.key)];
  }

  /** The public JWKS to serve at `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] } {
    return { keys: this.publishedKeys().map((key) => ({ ...key.publicJwk })) };
  }

  #prune(): void {
    const now = this.#now();
    this.#previous = this.#previous.filter((entry) => entry.unpublishAt > now);
  }
}

/**
 * Creates a key ring with a fresh current and next key.
 *
 * @throws {AuthConfigError} for invalid or unknown options, before any key is generated
 * @example
 * ```ts
 * const ring = await createKeyRing({ alg: 'ES256' });
 * const source = createSelfSignedSource({ issuer: 'billing', key: ring });
 * setInterval(() => void ring.rotate(), 24 * 3600_000); // daily
 * ```
 */
export async function createKeyRing(options: KeyRingOptions = {}): Promise<KeyRing> {
  checkOptions(undefined, options, OPTIONS);
  const alg = options.alg ?? 'ES256';
  const current = options.current ?? (await generateSigningKey({ alg }));
  const next = options.next ?? (await generateSigningKey({ alg }));
  return new KeyRing(current, next, options);
}
