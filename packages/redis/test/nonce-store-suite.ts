import { randomBytes } from 'node:crypto';
import { createHmacAuthenticator, signRequest } from '@org/auth-core';
import { describe, expect, it } from 'vitest';
import { RedisNonceStore } from '../src/index.js';
import { type IoredisClient, type TestClient, useRedisServer } from './redis-clients.js';

let prefixCount = 0;
const prefix = () => `nonce-test${++prefixCount}:`;

/**
 * The behaviour of `RedisNonceStore` against a real redis-server, written once and run by
 * `redis-nonce-store.test.ts` with each supported `ioredis` major.
 */
export function defineNonceStoreSuite(ioredis: IoredisClient): void {
  describe(`RedisNonceStore on ${ioredis.name}`, () => {
    const { connect, connected } = useRedisServer(ioredis);

    it('accepts a value once across replicas, with a TTL that ends when it could no longer be replayed', async () => {
      const shared = prefix();
      const [a, b] = [connect(), connect()];
      await Promise.all([connected(a), connected(b)]);
      const replicaA = new RedisNonceStore({ client: a, prefix: shared });
      const replicaB = new RedisNonceStore({ client: b, prefix: shared });
      const expiresAt = Math.floor(Date.now() / 1000) + 300;
      expect(await replicaA.useOnce('hmac:billing:n-1', expiresAt)).toBe(true);
      expect(await replicaB.useOnce('hmac:billing:n-1', expiresAt)).toBe(false);
      expect(await replicaB.useOnce('hmac:billing:n-2', expiresAt)).toBe(true);
      const ttl = await a.ttl(`${shared}hmac:billing:n-1`);
      expect(ttl).toBeGreaterThan(290);
      expect(ttl).toBeLessThanOrEqual(300);
    });

    it('refuses a signed request replayed to another replica of the service', async () => {
      const secret = randomBytes(32).toString('base64url');
      const shared = prefix();
      const [a, b] = [connect(), connect()];
      await Promise.all([connected(a), connected(b)]);
      const replica = (client: TestClient) =>
        createHmacAuthenticator({
          services: { billing: { secrets: [secret] } },
          nonces: new RedisNonceStore({ client, prefix: shared }),
        });
      const [first, second] = [replica(a), replica(b)];
      const authorization = signRequest({ keyId: 'billing', secret, url: 'http://orders.internal/orders' });
      const request = { method: 'GET', url: '/orders', headers: { host: 'orders.internal', authorization } };
      await expect(first.authenticate(request)).resolves.toMatchObject({ caller: 'billing' });
      await expect(second.authenticate(request)).rejects.toMatchObject({
        code: 'replayed_request',
        status: 401,
      });
    });
  });
}
