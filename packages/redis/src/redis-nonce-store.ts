import type { NonceStore } from '@org/auth-core';
import type { RedisCommands } from './redis-revocation-store.js';
import { withTimeout } from './with-timeout.js';

/** Options of {@link RedisNonceStore}. */
export interface RedisNonceStoreOptions {
  /** A connected `ioredis` client (only `SET ... EX ... NX` is used). The store never closes it. */
  readonly client: Pick<RedisCommands, 'set'>;
  /** Prefix of every key. Default `'auth:nonce:'`. */
  readonly prefix?: string;
  /** Time limit of one check, in milliseconds. Default `500`. */
  readonly timeout?: number;
  /**
   * Called with each failure (Redis' message, never a request's secret); the request is then
   * refused with 503 `replay_check_unavailable`. There is no fail-open mode: without the store,
   * replays could not be told apart.
   */
  readonly onError?: (error: Error) => void;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A `NonceStore` on Redis, shared by every replica: an HMAC request nonce or a DPoP proof `jti`
 * seen by one replica is refused by all the others. Each value is one `SET key 1 EX ttl NX`,
 * expiring when it could no longer be replayed anyway.
 *
 * @example
 * ```ts
 * import { createHmacAuthenticator } from '@org/auth-core';
 * import { RedisNonceStore } from '@org/auth-redis';
 * import { Redis } from 'ioredis';
 *
 * const nonces = new RedisNonceStore({ client: new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 }) });
 * const signed = createHmacAuthenticator({ services, nonces });
 * ```
 */
export class RedisNonceStore implements NonceStore {
  readonly #client: Pick<RedisCommands, 'set'>;
  readonly #prefix: string;
  readonly #timeout: number;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #now: () => number;

  /** @throws {TypeError} for an invalid option, naming it */
  constructor(options: RedisNonceStoreOptions) {
    if (typeof options?.client?.set !== 'function') {
      throw new TypeError('client: expected a connected ioredis client (new Redis(url))');
    }
    const { prefix = 'auth:nonce:', timeout = 500, onError, now = Date.now } = options;
    if (typeof prefix !== 'string') throw new TypeError('prefix: expected a string');
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new TypeError('timeout: expected a number of milliseconds above 0 (default 500)');
    }
    if (onError !== undefined && typeof onError !== 'function')
      throw new TypeError('onError: expected a function');
    this.#client = options.client;
    this.#prefix = prefix;
    this.#timeout = timeout;
    this.#onError = onError;
    this.#now = now;
  }

  /** Resolves true the first time `key` is seen before `expiresAt` (seconds since the epoch). */
  async useOnce(key: string, expiresAt: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAt - this.#now() / 1000));
    try {
      const answer = await withTimeout(
        this.#client.set(`${this.#prefix}${key}`, '1', 'EX', ttl, 'NX'),
        this.#timeout,
      );
      return answer !== null;
    } catch (cause) {
      const error = cause instanceof Error ? cause : new Error(String(cause));
      try {
        this.#onError?.(error);
      } catch {
        // A logging failure must not change the answer.
      }
      throw error;
    }
  }
}
