import { AuthConfigError, type NonceStore } from '@org/auth-core';
import { assertKnownKeys, optionKeys } from '@org/auth-core/adapter';
import { PersistenceCheck, type RedisPersistence } from './persistence-check.js';
import type { RedisCommands } from './redis-commands.js';
import { loggerOption, type RedisStoreLogger } from './store-logger.js';
import { withTimeout } from './with-timeout.js';

/** Options of {@link RedisNonceStore}. */
export interface RedisNonceStoreOptions {
  /** A connected `ioredis` client (`SET ... EX ... NX`, and `CONFIG GET` with a `logger`). The store never closes it. */
  readonly client: Pick<RedisCommands, 'set' | 'config' | 'once'>;
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
  /**
   * Told once per connection whether Redis keeps the nonces seen across a restart: `warn` when it
   * does not, `info` when `CONFIG` is refused (as on most managed Redis), `debug` when it does.
   * `console` or a pino logger fit. Default: none; nothing is printed then, and Redis is asked
   * only by {@link RedisNonceStore.checkPersistence}.
   */
  readonly logger?: RedisStoreLogger;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

const OPTIONS = optionKeys<RedisNonceStoreOptions>({
  client: true,
  prefix: true,
  timeout: true,
  onError: true,
  logger: true,
  now: true,
});

/**
 * A `NonceStore` on Redis, shared by every replica: an HMAC request nonce or a DPoP proof `jti`
 * seen by one replica is refused by all the others. Each value is one `SET key 1 EX ttl NX`,
 * expiring when it could no longer be replayed anyway. Redis must persist data (AOF or RDB): after
 * a restart without persistence, a request seen before it can be replayed within its window; with
 * a `logger`, the store warns about that on its first use of each connection.
 *
 * @example
 * ```ts
 * import { createHmacAuthenticator } from '@org/auth-core';
 * import { RedisNonceStore } from '@org/auth-redis';
 * import { Redis } from 'ioredis';
 *
 * const client = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
 * const nonces = new RedisNonceStore({ client, logger: console });
 * const signed = createHmacAuthenticator({ services, nonces });
 * ```
 */
export class RedisNonceStore implements NonceStore {
  readonly #client: Pick<RedisCommands, 'set'>;
  readonly #prefix: string;
  readonly #timeout: number;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #now: () => number;
  readonly #persistence: PersistenceCheck;

  /**
   * Checks the options only: it neither waits for nor talks to Redis.
   *
   * @throws {AuthConfigError} for an invalid or unknown option, naming it
   */
  constructor(options: RedisNonceStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new AuthConfigError('options', 'expected an object such as { client: new Redis(url) }');
    }
    assertKnownKeys(undefined, options, OPTIONS);
    if (typeof options.client?.set !== 'function') {
      throw new AuthConfigError('client', 'expected a connected ioredis client (new Redis(url))');
    }
    const { prefix = 'auth:nonce:', timeout = 500, onError, now = Date.now } = options;
    if (typeof prefix !== 'string') throw new AuthConfigError('prefix', 'expected a string');
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new AuthConfigError('timeout', 'expected a number of milliseconds above 0 (default 500)');
    }
    if (onError !== undefined && typeof onError !== 'function')
      throw new AuthConfigError('onError', 'expected a function');
    if (typeof now !== 'function')
      throw new AuthConfigError('now', 'expected a function returning milliseconds');
    this.#client = options.client;
    this.#prefix = prefix;
    this.#timeout = timeout;
    this.#onError = onError;
    this.#now = now;
    this.#persistence = new PersistenceCheck(options.client, loggerOption(options.logger), timeout, {
      store: 'RedisNonceStore',
      losses:
        'a restart loses every request nonce and DPoP proof id seen, so a signed request or proof captured before it is accepted again within its time window',
    });
  }

  /**
   * Asks Redis whether it persists data and tells the `logger` as on first use: once per
   * connection. It never rejects; `persistent` is `undefined` when Redis refuses `CONFIG` (as most
   * managed Redis do) or does not answer within `timeout`.
   */
  checkPersistence(): Promise<RedisPersistence> {
    return this.#persistence.run();
  }

  /** Resolves true the first time `key` is seen before `expiresAt` (seconds since the epoch). */
  async useOnce(key: string, expiresAt: number): Promise<boolean> {
    this.#persistence.onUse();
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
