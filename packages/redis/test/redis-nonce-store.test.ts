/**
 * The `RedisNonceStore` suite on every supported `ioredis` major (the peer range is
 * `^5.4.0 || ^6.0.0`), and on ioredis 6 with RESP3-shaped replies; plus what needs no server.
 */
import { randomBytes } from 'node:crypto';
import { createHmacAuthenticator, signRequest } from '@org/auth-core';
import { describe, expect, it } from 'vitest';
import { RedisNonceStore } from '../src/index.js';
import { defineNonceStoreSuite } from './nonce-store-suite.js';
import { ioredis5, ioredis6, ioredis6Resp3 } from './redis-clients.js';

defineNonceStoreSuite(ioredis6);
defineNonceStoreSuite(ioredis6Resp3);
defineNonceStoreSuite(ioredis5);

describe('RedisNonceStore when Redis does not answer', () => {
  it('fails closed (503) and reports why', async () => {
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
});
