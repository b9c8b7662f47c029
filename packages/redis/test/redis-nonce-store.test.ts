import { randomBytes } from 'node:crypto';
import { createHmacAuthenticator, signRequest } from '@org/auth-core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisNonceStore } from '../src/index.js';
import { useRedisServer } from './redis-clients.js';

const redis = useRedisServer();
const { connect, connected } = redis;

let prefixCount = 0;
const prefix = () => `nonce-test${++prefixCount}:`;

describe('RedisNonceStore against a real redis-server', () => {
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
    const replica = (client: Redis) =>
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

  it('fails closed (503) when Redis does not answer, and reports why', async () => {
    const errors: string[] = [];
    const silent = { set: () => new Promise<never>(() => {}) };
    const store = new RedisNonceStore({
      client: silent,
      timeout: 50,
      onError: (error) => errors.push(error.message),
    });
    await expect(store.useOnce('k', Date.now() / 1000 + 60)).rejects.toThrow(
      'no answer from Redis within 50 ms',
    );
    expect(errors).toEqual(['no answer from Redis within 50 ms']);
    const secret = randomBytes(32).toString('base64url');
    const signed = createHmacAuthenticator({ services: { billing: { secrets: [secret] } }, nonces: store });
    const authorization = signRequest({ keyId: 'billing', secret, url: 'http://h/x' });
    await expect(
      signed.authenticate({ method: 'GET', url: '/x', headers: { host: 'h', authorization } }),
    ).rejects.toMatchObject({ code: 'replay_check_unavailable', status: 503 });
  });

  it('validates its options', () => {
    expect(() => new RedisNonceStore({ client: {} as never })).toThrow(
      'client: expected a connected ioredis client',
    );
    expect(() => new RedisNonceStore({ client: connect(), timeout: 0 })).toThrow('timeout: expected');
  });
});
