import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { afterAll, beforeAll, expect } from 'vitest';
import type { RedisCommands } from '../src/index.js';
import { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.js';

/** What the tests use of a client, the same on every supported `ioredis` major. */
export interface TestClient extends RedisCommands {
  readonly status: string;
  ttl(key: string): Promise<number>;
  info(section: string): Promise<string>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  disconnect(): void;
}

/** Client options a service would set: fail fast rather than queue while Redis is down. */
interface FailFastOptions {
  readonly maxRetriesPerRequest: number;
  readonly enableOfflineQueue: boolean;
  readonly retryStrategy: () => number;
}

/** A supported `ioredis` major (the peer range is `^5.4.0 || ^6.0.0`), as the suites run it. */
export interface IoredisClient {
  readonly name: string;
  create(url: string, options: FailFastOptions): TestClient;
}

/** `ioredis` 6 as installed by default: RESP3 (`HELLO 3`) with RESP2-shaped replies. */
export const ioredis6: IoredisClient = {
  name: 'ioredis 6',
  create: (url, options) => new Redis(url, options),
};

/** `ioredis` 6 with RESP3-shaped replies: `CONFIG GET` answers a map instead of a flat list. */
export const ioredis6Resp3: IoredisClient = {
  name: "ioredis 6 (replyMapping 'resp3')",
  create: (url, options) => new Redis(url, { ...options, protocol: 3, replyMapping: 'resp3' }),
};

/** `ioredis` 5 (the `ioredis5` npm alias): RESP2. */
export const ioredis5: IoredisClient = {
  name: 'ioredis 5',
  create: (url, options) => new Redis5(url, options),
};

/** A real redis-server for a suite, and clients configured as a service would. */
export interface RedisFixture {
  /** The server, started before the suite's tests and stopped after them. */
  readonly server: RedisServer;
  /** A client that fails fast rather than queue while Redis is down; disconnected after the suite. */
  connect(): TestClient;
  /** Waits until `client` is connected. */
  connected(client: TestClient): Promise<void>;
  /** Waits until `client` has seen its connection close. */
  disconnected(client: TestClient): Promise<void>;
  /** Restarts the server and waits until `client` is connected again. */
  restart(client: TestClient): Promise<void>;
}

/**
 * Starts a redis-server for the calling suite (in its `beforeAll`), with clients of `ioredis`, and
 * cleans up after it.
 */
export function useRedisServer(ioredis: IoredisClient, options: RedisServerOptions = {}): RedisFixture {
  let server: RedisServer | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startRedisServer(options);
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.dispose();
  });
  const running = (): RedisServer => {
    if (server === undefined) throw new Error('the redis-server starts in beforeAll');
    return server;
  };
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const connected = async (client: TestClient) => {
    await until(() => client.status === 'ready');
    expect(client.status).toBe('ready');
  };
  const disconnected = async (client: TestClient) => {
    await until(() => client.status !== 'ready');
    expect(client.status).not.toBe('ready');
  };
  return {
    get server() {
      return running();
    },
    connect() {
      const client = ioredis.create(running().url, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        retryStrategy: () => 50,
      });
      client.on('error', () => {}); // reconnect noise; the stores report what matters through onError
      clients.push(client);
      return client;
    },
    connected,
    disconnected,
    async restart(client) {
      await running().stop();
      await disconnected(client);
      await running().start();
      await connected(client);
    },
  };
}
