import { createVerifier, isAuthError, type Verifier } from '@org/auth-core';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisRevocationStore, type RedisStoreErrorContext } from '../src/index.js';
import { type IoredisClient, useRedisServer } from './redis-clients.js';

const ISSUER = 'https://orders.internal';

const now = () => Math.floor(Date.now() / 1000);
const query = (patch: Partial<Parameters<RedisRevocationStore['isRevoked']>[0]> = {}) => ({
  issuer: ISSUER,
  tokenId: 'jti-1',
  subject: 'orders',
  issuedAt: now() - 10,
  expiresAt: now() + 300,
  ...patch,
});
let prefixCount = 0;
const prefix = () => `test${++prefixCount}:`;

/**
 * The behaviour of `RedisRevocationStore` against a real redis-server, written once and run by
 * `redis-revocation-store.test.ts` with each supported `ioredis` major.
 */
export function defineRevocationStoreSuite(ioredis: IoredisClient): void {
  describe(`RedisRevocationStore on ${ioredis.name}`, () => {
    const redis = useRedisServer(ioredis);
    const { connect, connected } = redis;

    describe('against a real redis-server', () => {
      it('a token revoked on one replica is refused by another at once, and expires with the token', async () => {
        const shared = prefix();
        const [a, b] = [connect(), connect()];
        await Promise.all([connected(a), connected(b)]);
        const replicaA = new RedisRevocationStore({ client: a, prefix: shared });
        const replicaB = new RedisRevocationStore({ client: b, prefix: shared });
        expect(await replicaB.isRevoked(query())).toBe(false);
        await replicaA.revokeToken('jti-1', { expiresAt: now() + 60 });
        expect(await replicaB.isRevoked(query())).toBe(true);
        expect(await replicaB.isRevoked(query({ tokenId: 'jti-2' }))).toBe(false);
        const ttl = await a.ttl(`${shared}jti:*:jti-1`);
        expect(ttl).toBeGreaterThan(55);
        expect(ttl).toBeLessThanOrEqual(65);
        await replicaA.unrevokeToken('jti-1');
        expect(await replicaB.isRevoked(query())).toBe(false);
      });

      it('revocations can be scoped to one issuer', async () => {
        const client = connect();
        await connected(client);
        const store = new RedisRevocationStore({ client, prefix: prefix() });
        await store.revokeToken('jti-1', { expiresAt: now() + 60, issuer: 'https://other.internal' });
        expect(await store.isRevoked(query())).toBe(false);
        expect(await store.isRevoked(query({ issuer: 'https://other.internal' }))).toBe(true);
      });

      it('a subject revocation refuses tokens issued before it, not those issued after', async () => {
        const client = connect();
        await connected(client);
        let clock = Date.now();
        const store = new RedisRevocationStore({ client, prefix: prefix(), now: () => clock });
        await store.revokeSubject('reporting', { until: now() + 3600 });
        const revokedAt = clock / 1000;
        expect(await store.isRevoked(query({ subject: 'reporting', issuedAt: revokedAt - 1 }))).toBe(true);
        expect(await store.isRevoked(query({ subject: 'reporting', issuedAt: undefined }))).toBe(true);
        clock += 10_000;
        expect(await store.isRevoked(query({ subject: 'reporting', issuedAt: revokedAt + 5 }))).toBe(false);
        expect(await store.isRevoked(query({ subject: 'orders' }))).toBe(false);
        await store.unrevokeSubject('reporting');
        expect(await store.isRevoked(query({ subject: 'reporting', issuedAt: revokedAt - 1 }))).toBe(false);
      });

      it('one-time tokens: the second use of a jti is refused on any replica, until the token expires', async () => {
        const shared = prefix();
        const [a, b] = [connect(), connect()];
        await Promise.all([connected(a), connected(b)]);
        const replicaA = new RedisRevocationStore({ client: a, prefix: shared, oneTimeTokens: true });
        const replicaB = new RedisRevocationStore({ client: b, prefix: shared, oneTimeTokens: true });
        expect(await replicaA.isRevoked(query({ tokenId: 'once' }))).toBe(false);
        expect(await replicaB.isRevoked(query({ tokenId: 'once' }))).toBe(true);
        expect(await replicaA.isRevoked(query({ tokenId: 'once' }))).toBe(true);
        expect(await replicaA.isRevoked(query({ tokenId: 'other' }))).toBe(false);
        // Without a jti a token cannot be proven unused.
        expect(await replicaA.isRevoked(query({ tokenId: undefined }))).toBe(true);
        const ttl = await a.ttl(`${shared}used:${encodeURIComponent(ISSUER)}:once`);
        expect(ttl).toBeGreaterThan(290);
        expect(ttl).toBeLessThanOrEqual(306);
      });

      it('refuses an unknown key in the options of a revocation, suggesting the known one', async () => {
        const client = connect();
        await connected(client);
        const store = new RedisRevocationStore({ client, prefix: prefix() });
        const typo = { expiresAt: now() + 60, issur: ISSUER };
        await expect(store.revokeToken('jti-1', typo as never)).rejects.toThrow(
          'options.issur: unknown option (did you mean issuer?); known options here are expiresAt, issuer',
        );
        await expect(store.unrevokeSubject('orders', { isuser: ISSUER } as never)).rejects.toThrow(
          'options.isuser: unknown option (did you mean issuer?)',
        );
        // Nothing was written for the mistyped call.
        expect(await store.isRevoked(query())).toBe(false);
      });
    });

    describe('through a verifier', () => {
      let verifier: Verifier;
      let sign: (claims?: JWTPayload) => Promise<string>;
      let store: RedisRevocationStore;
      const errors: { message: string; context: RedisStoreErrorContext }[] = [];

      beforeAll(async () => {
        const { publicKey, privateKey } = await generateKeyPair('ES256');
        const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
        const client = connect();
        await connected(client);
        store = new RedisRevocationStore({
          client,
          prefix: prefix(),
          oneTimeTokens: true,
          timeout: 300,
          onError: (error, context) => errors.push({ message: error.message, context }),
        });
        verifier = createVerifier({
          issuers: { issuer: ISSUER, jwks: { keys: [jwk] } },
          audience: 'payments',
          revocation: store,
        });
        sign = (claims = {}) =>
          new SignJWT({
            iss: ISSUER,
            sub: 'orders',
            aud: 'payments',
            source: 'microservice',
            jti: crypto.randomUUID(),
            ...claims,
          })
            .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(privateKey);
      });
      afterEach(() => {
        errors.length = 0;
      });

      const outcome = (token: string) =>
        verifier.verify(token).then(
          () => 200,
          (error: unknown) => (isAuthError(error) ? `${error.status} ${error.code}` : String(error)),
        );

      it('a replayed token is refused with 401 token_revoked, even from the verified-token cache', async () => {
        const token = await sign();
        expect(await outcome(token)).toBe(200);
        expect(await outcome(token)).toBe('401 token_revoked');
      });

      it('fails closed with 503 while Redis is down, logs through onError, and recovers without a restart', async () => {
        await redis.server.stop();
        expect(await outcome(await sign())).toBe('503 revocation_unavailable');
        expect(errors.length).toBeGreaterThan(0);
        expect(errors[0]?.context).toEqual({ operation: 'isRevoked', failOpen: false });
        for (const { message } of errors) expect(message).not.toMatch(/eyJ/); // never a token

        await redis.server.start();
        let status: number | string = 0;
        for (let i = 0; i < 60 && status !== 200; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          status = await outcome(await sign());
        }
        expect(status).toBe(200);
      });

      it('failOpen lets requests through while Redis is down, saying so through onError', async () => {
        const client = connect();
        await connected(client);
        const open = new RedisRevocationStore({
          client,
          failOpen: true,
          timeout: 300,
          onError: (error, context) => errors.push({ message: error.message, context }),
        });
        await redis.server.stop();
        try {
          expect(await open.isRevoked(query())).toBe(false);
          expect(errors.at(-1)?.context).toEqual({ operation: 'isRevoked', failOpen: true });
        } finally {
          await redis.server.start();
        }
      });
    });
  });
}
