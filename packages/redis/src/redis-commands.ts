/**
 * The Redis commands the stores use, as `ioredis` 5 and 6 expose them. Pass an `ioredis` client
 * (or a `Cluster`); any client with these methods works.
 */
export interface RedisCommands {
  mget(...keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  set(key: string, value: string, mode: 'EX', seconds: number, condition: 'NX'): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  /**
   * `CONFIG GET appendonly` and `CONFIG GET save`, once per connection, to warn through the
   * store's `logger` when Redis does not persist data. Without it, persistence is reported as
   * undetermined.
   */
  config?(subcommand: 'GET', parameter: string): Promise<unknown>;
  /** The client's `ready` event, to check persistence again on each new connection. */
  once?(event: 'ready', listener: () => void): unknown;
}
