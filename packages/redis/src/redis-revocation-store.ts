import { AuthConfigError, type RevocationQuery, type RevocationStore } from '@org/auth-core';
import { assertKnownKeys, optionKeys } from '@org/auth-core/adapter';
import { PersistenceCheck, type RedisPersistence } from './persistence-check.js';
import type { RedisCommands } from './redis-commands.js';
import { loggerOption, type RedisStoreLogger } from './store-logger.js';
import { withTimeout } from './with-timeout.js';

/** Which operation failed, for {@link RedisRevocationStoreOptions.onError}. */
export interface RedisStoreErrorContext {
  readonly operation: 'isRevoked' | 'markUsed';
  /** True when the request is let through anyway (`failOpen`). */
  readonly failOpen: boolean;
}

/** Options of {@link RedisRevocationStore}. */
export interface RedisRevocationStoreOptions {
  /** A connected `ioredis` client. The store never closes it. */
  readonly client: RedisCommands;
  /** Prefix of every key. Default `'auth:revocation:'`. */
  readonly prefix?: string;
  /**
   * Reject the second use of a token id (`jti`) while the token is valid: replay protection for
   * tokens meant to be used once. Tokens without `jti` are then refused. Default `false`.
   */
  readonly oneTimeTokens?: boolean;
  /**
   * When Redis fails or is too slow: `false` (default) fails closed, the verifier answers 503
   * `revocation_unavailable`; `true` lets requests through as if nothing were revoked (and
   * without replay protection) until Redis is back. Either way `onError` is called.
   */
  readonly failOpen?: boolean;
  /** Time limit of one check, in milliseconds. Default `500`. */
  readonly timeout?: number;
  /**
   * Seconds added to a token's remaining lifetime for the expiry of its entries, to cover the
   * verifier's clock tolerance. Default `5`.
   */
  readonly leeway?: number;
  /**
   * Called once per failed check with the error and what failed; the error carries Redis'
   * message, never a token or a key. Log it here (the store writes nothing itself).
   */
  readonly onError?: (error: Error, context: RedisStoreErrorContext) => void;
  /**
   * Told once per connection whether Redis keeps revocations and one-time ids across a restart:
   * `warn` when it does not (`appendonly no` and no `save`), `info` when `CONFIG` is refused (as on
   * most managed Redis), `debug` when it does. `console` or a pino logger fit. Default: none;
   * nothing is printed then, and Redis is asked only by {@link RedisRevocationStore.checkPersistence}.
   */
  readonly logger?: RedisStoreLogger;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

const OPTIONS = optionKeys<RedisRevocationStoreOptions>({
  client: true,
  prefix: true,
  oneTimeTokens: true,
  failOpen: true,
  timeout: true,
  leeway: true,
  onError: true,
  logger: true,
  now: true,
});

/** Options of {@link RedisRevocationStore.revokeToken}. */
export interface RedisRevokeTokenOptions {
  /** The token's `exp` (seconds since the epoch): the entry expires with it (Redis TTL). */
  readonly expiresAt: number;
  /** Revoke only for this issuer. Default: for every issuer. */
  readonly issuer?: string;
}

/** Options of {@link RedisRevocationStore.revokeSubject}. */
export interface RedisRevokeSubjectOptions {
  /** Until when (seconds since the epoch) to remember it: now plus your longest token lifetime. */
  readonly until: number;
  /** Revoke only for this issuer. Default: for every issuer. */
  readonly issuer?: string;
}

const REVOKE_TOKEN_OPTIONS = optionKeys<RedisRevokeTokenOptions>({ expiresAt: true, issuer: true });
const REVOKE_SUBJECT_OPTIONS = optionKeys<RedisRevokeSubjectOptions>({ until: true, issuer: true });
const UNREVOKE_OPTIONS = optionKeys<{ readonly issuer?: string }>({ issuer: true });

const ANY_ISSUER = '*';

/**
 * A {@link RevocationStore} on Redis, shared by every replica: a token revoked on one replica is
 * refused by all of them on their next request, since every check reads Redis (no local cache).
 *
 * - `revokeToken(jti)` and `revokeSubject(sub)` write keys that expire with the tokens they
 *   cover (Redis TTL), so Redis holds only what is currently revoked.
 * - With `oneTimeTokens`, the first use of a `jti` is recorded with `SET NX` until the token
 *   expires and any second use is refused. It keys on `jti`, never on the token bytes: an ECDSA
 *   signature can be re-encoded (high S) into another valid string with the same claims.
 * - When Redis fails, the store fails closed (503) unless `failOpen` is set; see `onError`.
 * - Redis must persist data (AOF or RDB): a restart without persistence forgets every revocation
 *   and every used `jti`. With a `logger`, the store checks on its first use of each connection
 *   and warns when Redis does not persist; {@link RedisRevocationStore.checkPersistence} asks
 *   explicitly, for example at startup.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@org/auth-core';
 * import { RedisRevocationStore } from '@org/auth-redis';
 * import { Redis } from 'ioredis';
 *
 * const client = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
 * const revocation = new RedisRevocationStore({
 *   client,
 *   oneTimeTokens: true,
 *   onError: (error, { operation }) => log.error({ err: error.message, operation }, 'revocation store failed'),
 *   logger: log, // warns when Redis would lose revocations on a restart
 * });
 * await revocation.checkPersistence(); // at startup: { persistent: true, appendonly: 'yes', save: '' }
 * const verifier = createVerifier({ ...options, revocation });
 * await revocation.revokeToken(jti, { expiresAt: exp });
 * ```
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #client: RedisCommands;
  readonly #prefix: string;
  readonly #oneTime: boolean;
  readonly #failOpen: boolean;
  readonly #timeout: number;
  readonly #leeway: number;
  readonly #onError: RedisRevocationStoreOptions['onError'];
  readonly #now: () => number;
  readonly #persistence: PersistenceCheck;

  /**
   * Checks the options only: it neither waits for nor talks to Redis.
   *
   * @throws {AuthConfigError} for an invalid or unknown option, naming it
   */
  constructor(options: RedisRevocationStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new AuthConfigError('options', 'expected an object such as { client: new Redis(url) }');
    }
    assertKnownKeys(undefined, options, OPTIONS);
    if (typeof options.client?.mget !== 'function' || typeof options.client.set !== 'function') {
      throw new AuthConfigError('client', 'expected a connected ioredis client (new Redis(url))');
    }
    const { timeout = 500, leeway = 5, prefix = 'auth:revocation:', now = Date.now } = options;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new AuthConfigError('timeout', 'expected a number of milliseconds above 0 (default 500)');
    }
    if (!Number.isFinite(leeway) || leeway < 0)
      throw new AuthConfigError('leeway', 'expected seconds, 0 or more (default 5)');
    if (typeof prefix !== 'string')
      throw new AuthConfigError('prefix', "expected a string (default 'auth:revocation:')");
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new AuthConfigError('onError', 'expected a function (error, context) => void');
    }
    if (typeof now !== 'function')
      throw new AuthConfigError('now', 'expected a function returning milliseconds');
    this.#client = options.client;
    this.#prefix = prefix;
    this.#oneTime = flag('oneTimeTokens', options.oneTimeTokens);
    this.#failOpen = flag('failOpen', options.failOpen);
    this.#timeout = timeout;
    this.#leeway = leeway;
    this.#onError = options.onError;
    this.#now = now;
    this.#persistence = new PersistenceCheck(options.client, loggerOption(options.logger), timeout, {
      store: 'RedisRevocationStore',
      losses:
        'a restart loses every revocation and one-time token id, so revoked tokens are accepted again and one-time tokens can be used a second time, until they expire',
    });
  }

  /**
   * Asks Redis whether it persists data (`CONFIG GET appendonly`, `CONFIG GET save`) and tells the
   * `logger` as on first use: once per connection, so calling it again before a reconnection
   * answers the same report. It never rejects; `persistent` is `undefined` when Redis refuses
   * `CONFIG` (as most managed Redis do) or does not answer within `timeout`.
   *
   * @example
   * ```ts
   * const { persistent } = await revocation.checkPersistence();
   * if (persistent === false) throw new Error('refusing to start: Redis would forget revocations on a restart');
   * ```
   */
  checkPersistence(): Promise<RedisPersistence> {
    return this.#persistence.run();
  }

  /** Revokes one token by its `jti`, on every replica, until the token expires. */
  async revokeToken(tokenId: string, options: RedisRevokeTokenOptions): Promise<void> {
    this.#persistence.onUse();
    nonEmpty('tokenId', tokenId);
    methodOptions(options, REVOKE_TOKEN_OPTIONS, '{ expiresAt: exp }');
    time('expiresAt', options.expiresAt);
    const ttl = this.#ttl(options.expiresAt);
    if (ttl <= 0) return; // already expired: the verifier refuses it anyway
    await this.#client.set(this.#key('jti', options.issuer ?? ANY_ISSUER, tokenId), '1', 'EX', ttl);
  }

  /**
   * Revokes every token of `subject` issued up to now (by `iat`; tokens without `iat` too), on
   * every replica. Tokens issued later are accepted again.
   */
  async revokeSubject(subject: string, options: RedisRevokeSubjectOptions): Promise<void> {
    this.#persistence.onUse();
    nonEmpty('subject', subject);
    methodOptions(options, REVOKE_SUBJECT_OPTIONS, '{ until }');
    time('until', options.until);
    const ttl = this.#ttl(options.until);
    if (ttl <= 0) return;
    const before = String(this.#now() / 1000);
    await this.#client.set(this.#key('sub', options.issuer ?? ANY_ISSUER, subject), before, 'EX', ttl);
  }

  /** Lifts a token revocation (for every issuer, and for `issuer` when given). */
  async unrevokeToken(tokenId: string, options: { readonly issuer?: string } = {}): Promise<void> {
    this.#persistence.onUse();
    methodOptions(options, UNREVOKE_OPTIONS, '{ issuer }');
    await this.#client.del(...this.#scoped('jti', tokenId, options.issuer));
  }

  /** Lifts a subject revocation (for every issuer, and for `issuer` when given). */
  async unrevokeSubject(subject: string, options: { readonly issuer?: string } = {}): Promise<void> {
    this.#persistence.onUse();
    methodOptions(options, UNREVOKE_OPTIONS, '{ issuer }');
    await this.#client.del(...this.#scoped('sub', subject, options.issuer));
  }

  /** Asked by the verifier on every request; see the class description. */
  async isRevoked(query: RevocationQuery): Promise<boolean> {
    this.#persistence.onUse();
    let operation: RedisStoreErrorContext['operation'] = 'isRevoked';
    try {
      if (await withTimeout(this.#revoked(query), this.#timeout)) return true;
      if (!this.#oneTime) return false;
      // Replay protection needs an id; a token without one cannot be proven unused.
      if (query.tokenId === undefined) return true;
      operation = 'markUsed';
      const ttl = Math.max(1, this.#ttl(query.expiresAt));
      const first = await withTimeout(
        this.#client.set(this.#key('used', query.issuer, query.tokenId), '1', 'EX', ttl, 'NX'),
        this.#timeout,
      );
      return first === null;
    } catch (cause) {
      const error = cause instanceof Error ? cause : new Error(String(cause));
      try {
        this.#onError?.(error, { operation, failOpen: this.#failOpen });
      } catch {
        // A throwing logger never changes the decision.
      }
      if (this.#failOpen) return false;
      throw new Error(`revocation store unavailable: ${error.message}`, { cause: error });
    }
  }

  async #revoked(query: RevocationQuery): Promise<boolean> {
    const keys: string[] = [];
    if (query.tokenId !== undefined) keys.push(...this.#scoped('jti', query.tokenId, query.issuer));
    if (query.subject !== undefined) keys.push(...this.#scoped('sub', query.subject, query.issuer));
    if (keys.length === 0) return false;
    const values = await this.#client.mget(...keys);
    const tokenEntries = query.tokenId === undefined ? 0 : 2;
    if (values.slice(0, tokenEntries).some((value) => value !== null)) return true;
    return values.slice(tokenEntries).some((value) => {
      if (value === null) return false;
      // A token without iat cannot prove it was issued after the revocation.
      return query.issuedAt === undefined || query.issuedAt <= Number(value);
    });
  }

  #scoped(kind: 'jti' | 'sub', id: string, issuer: string | undefined): string[] {
    return [this.#key(kind, ANY_ISSUER, id), this.#key(kind, issuer ?? ANY_ISSUER, id)];
  }

  // Each part is URI-encoded, so that ':' in an issuer URL or an id cannot make two keys collide.
  #key(kind: 'jti' | 'sub' | 'used', issuer: string, id: string): string {
    return `${this.#prefix}${kind}:${encodeURIComponent(issuer)}:${encodeURIComponent(id)}`;
  }

  #ttl(until: number): number {
    return Math.ceil(until - this.#now() / 1000 + this.#leeway);
  }
}

/** `value === true`, after refusing anything but a boolean or undefined. */
function flag(option: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw new AuthConfigError(option, 'expected true or false');
  return value === true;
}

/** Refuses a method's options that are not an object, or that hold an unknown key. */
function methodOptions(value: unknown, known: readonly string[], example: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`options: expected an object such as ${example}`);
  }
  assertKnownKeys('options', value, known);
}

function nonEmpty(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name}: expected a non-empty string`);
}

function time(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name}: expected a time in seconds since the epoch (like the exp claim)`);
  }
}
