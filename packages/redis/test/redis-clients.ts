import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { type RedisServer, startRedisServer } from './redis-server.js';

/** A real redis-server for the test file, and clients configured as a service would. */
export interface RedisFixture {
  /** The server, started before the file's tests and stopped after them. */
  readonly server: RedisServer;
  /** A client that fails fast rather than queue while Redis is down; disconnected after the file. */
  connect(): Redis;
  /** Waits until `client` is connected. */
  connected(client: Redis): Promise<void>;
}

/** Starts a redis-server for the calling test file (in its `beforeAll`) and cleans up after it. */
export function useRedisServer(): RedisFixture {
  let server: RedisServer | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });
  const running = (): RedisServer => {
    if (server === undefined) throw new Error('the redis-server starts in beforeAll');
    return server;
  };
  return {
    get server() {
      return running();
    },
    connect() {
      const client = new Redis(running().url, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        retryStrategy: () => 50,
      });
      client.on('error', () => {}); // reconnect noise; the stores report what matters through onError
      clients.push(client);
      return client;
    },
    async connected(client) {
      for (let i = 0; i < 100 && client.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(client.status).toBe('ready');
    },
  };
}
