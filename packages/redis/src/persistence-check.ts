import type { RedisCommands } from './redis-commands.js';
import { log, type RedisStoreLogger } from './store-logger.js';
import { withTimeout } from './with-timeout.js';

/**
 * Whether Redis keeps its data across a restart, as `CONFIG GET appendonly` and `CONFIG GET save`
 * tell. Without persistence a restart empties Redis: revoked tokens are accepted again and one-time
 * tokens can be used a second time, until they expire.
 */
export interface RedisPersistence {
  /**
   * `true`: Redis writes its data to disk (AOF with `appendonly yes`, or RDB snapshots by `save`);
   * `false`: it does not, so a restart loses every entry; `undefined`: could not be determined
   * (`CONFIG` refused or renamed, as on most managed Redis, or no answer; see `reason`).
   */
  readonly persistent: boolean | undefined;
  /** The `appendonly` setting (`'yes'` or `'no'`), when Redis told it. */
  readonly appendonly?: string;
  /** The `save` setting (`''` for no snapshots, else pairs of seconds and changes), when Redis told it. */
  readonly save?: string;
  /** Why `persistent` is `undefined`: Redis' answer or the client's error. */
  readonly reason?: string;
}

/** The client methods the check uses; a client without `config` is reported as undetermined. */
export type PersistenceClient = Pick<RedisCommands, 'config' | 'once'>;

/** Which store checks, and what a restart without persistence costs it, for the log lines. */
export interface PersistenceSubject {
  /** `RedisRevocationStore`, `RedisNonceStore`. */
  readonly store: string;
  /** What a restart without persistence loses and lets through again, as a sentence's end. */
  readonly losses: string;
}

/**
 * Finds out once per connection whether Redis persists data, and tells the store's logger: `warn`
 * when it does not, `info` when it could not be determined, `debug` otherwise. A store starts it on
 * its first use (never in its constructor, which must not wait for Redis) or when asked; after a
 * new connection of the client (its `ready` event) the next use checks again, since Redis may have
 * restarted with another configuration. Nothing runs on its own without a logger.
 */
export class PersistenceCheck {
  readonly #client: PersistenceClient;
  readonly #logger: RedisStoreLogger | undefined;
  readonly #timeout: number;
  readonly #subject: PersistenceSubject;
  #current: Promise<RedisPersistence> | undefined;
  /** A postponed check was logged: say it once, not on every request while Redis is down. */
  #postponed = false;

  constructor(
    client: PersistenceClient,
    logger: RedisStoreLogger | undefined,
    timeout: number,
    subject: PersistenceSubject,
  ) {
    this.#client = client;
    this.#logger = logger;
    this.#timeout = timeout;
    this.#subject = subject;
  }

  /** Called on each use of the store: starts the check in the background when it is due. */
  onUse(): void {
    if (this.#logger !== undefined && this.#current === undefined) void this.run();
  }

  /** The check of the current connection, started now or earlier. Never rejects. */
  run(): Promise<RedisPersistence> {
    // A check in the background must never become an unhandled rejection.
    this.#current ??= this.#check().catch((cause: unknown) => ({
      persistent: undefined,
      reason: String(cause),
    }));
    return this.#current;
  }

  async #check(): Promise<RedisPersistence> {
    const { store, losses } = this.#subject;
    if (typeof this.#client.config !== 'function') {
      const reason = 'the client has no config() method';
      this.#log(
        'info',
        `${store}: could not determine whether Redis persists its data (${reason}). ${advice(losses)}`,
      );
      return { persistent: undefined, reason };
    }
    let report: RedisPersistence;
    try {
      const [appendonly, save] = await withTimeout(
        Promise.all([this.#get('appendonly'), this.#get('save')]),
        this.#timeout,
      );
      report = { persistent: appendonly === 'yes' || save.trim() !== '', appendonly, save };
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      if (!refusedByRedis(cause)) {
        // Redis did not answer (down, reconnecting, slow): nothing was learnt; try on the next use.
        this.#current = undefined;
        if (!this.#postponed) {
          this.#postponed = true;
          this.#log('debug', `${store}: persistence check postponed, no answer from Redis (${reason})`);
        }
        return { persistent: undefined, reason };
      }
      report = { persistent: undefined, reason };
    }
    this.#postponed = false;
    this.#tell(report);
    // Once per connection: after a reconnection, Redis may be another process with other settings.
    this.#client.once?.('ready', () => {
      this.#current = undefined;
    });
    return report;
  }

  async #get(name: string): Promise<string> {
    const reply = await this.#client.config?.('GET', name);
    const value = configValue(reply, name);
    if (value === undefined) throw new UnexpectedReply(`unexpected reply to CONFIG GET ${name}`);
    return value;
  }

  #tell(report: RedisPersistence): void {
    const { store, losses } = this.#subject;
    const settings = `appendonly ${report.appendonly}, save "${report.save}"`;
    if (report.persistent === true) {
      this.#log('debug', `${store}: Redis persists its data (${settings}).`);
    } else if (report.persistent === false) {
      this.#log(
        'warn',
        `${store}: Redis does not persist its data (${settings}): ${losses}. Turn on AOF (appendonly yes, appendfsync everysec) or RDB snapshots (save); see "Persistence" in the @org/auth-redis README.`,
      );
    } else {
      this.#log(
        'info',
        `${store}: could not determine whether Redis persists its data (CONFIG GET refused: ${report.reason}). ${advice(losses)}`,
      );
    }
  }

  #log(level: 'warn' | 'info' | 'debug', message: string): void {
    if (this.#logger !== undefined) log(this.#logger, level, message);
  }
}

function advice(losses: string): string {
  return `Make sure it does (AOF or RDB snapshots): without persistence, ${losses}.`;
}

/** An answer from Redis that does not hold the setting, as opposed to no answer at all. */
class UnexpectedReply extends Error {}

/** True when Redis answered, with an error: its settings cannot be read on this connection. */
function refusedByRedis(error: unknown): boolean {
  if (error instanceof UnexpectedReply) return true;
  // ioredis (5 and 6) raises a ReplyError for an error reply (unknown command, NOPERM, ...);
  // node-redis calls it ErrorReply.
  return error instanceof Error && (error.name === 'ReplyError' || error.name === 'ErrorReply');
}

/**
 * The value of `name` in a `CONFIG GET` reply: a flat `[name, value]` list (RESP2, and ioredis 6's
 * default `replyMapping: 'legacy'`) or a map (ioredis 6 with `replyMapping: 'resp3'`).
 */
function configValue(reply: unknown, name: string): string | undefined {
  let value: unknown;
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (reply[i] === name) value = reply[i + 1];
  } else if (reply instanceof Map) {
    value = reply.get(name);
  } else if (typeof reply === 'object' && reply !== null && Object.hasOwn(reply, name)) {
    value = (reply as Record<string, unknown>)[name];
  }
  if (Buffer.isBuffer(value)) return value.toString();
  return typeof value === 'string' ? value : undefined;
}
