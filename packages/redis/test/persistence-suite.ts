import { randomBytes } from 'node:crypto';
import { createHmacAuthenticator, createVerifier, signRequest } from '@org/auth-core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisNonceStore, RedisRevocationStore, type RedisStoreLogger } from '../src/index.js';
import { type IoredisClient, type TestClient, useRedisServer } from './redis-clients.js';

type Level = keyof RedisStoreLogger;

/** A logger that keeps its lines, and can wait for the next line of a level. */
function recordingLogger() {
  const lines: { level: Level; message: string }[] = [];
  const waiting: { level: Level; resolve: (message: string) => void }[] = [];
  const record = (level: Level) => (message: string) => {
    lines.push({ level, message });
    for (const waiter of waiting.filter((w) => w.level === level)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  };
  return {
    logger: { warn: record('warn'), info: record('info'), debug: record('debug') } satisfies RedisStoreLogger,
    lines,
    at: (level: Level) => lines.filter((line) => line.level === level).map((line) => line.message),
    /** The next line logged at `level` (the test's timeout bounds the wait). */
    next: (level: Level) => new Promise<string>((resolve) => waiting.push({ level, resolve })),
  };
}

const ISSUER = 'https://orders.internal';
const now = () => Math.floor(Date.now() / 1000);
const query = (tokenId: string) => ({
  issuer: ISSUER,
  tokenId,
  subject: 'orders',
  issuedAt: now() - 10,
  expiresAt: now() + 300,
});
let prefixCount = 0;
const prefix = () => `persistence-test${++prefixCount}:`;

/** Times `CONFIG GET` ran on the server of `client` (Redis 7 counts subcommands apart). */
async function configGets(client: TestClient): Promise<number> {
  const stats = await client.info('commandstats');
  return Number(/cmdstat_config\|get:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

const VOLATILE_WARNING =
  /^RedisRevocationStore: Redis does not persist its data \(appendonly no, save ""\): a restart loses every revocation and one-time token id, so revoked tokens are accepted again and one-time tokens can be used a second time, until they expire\. Turn on AOF \(appendonly yes, appendfsync everysec\) or RDB snapshots \(save\)/;

/**
 * What the stores find out and say about Redis persistence, against real redis-servers with and
 * without it, written once and run by `persistence.test.ts` with each supported `ioredis` major.
 */
export function definePersistenceSuite(ioredis: IoredisClient): void {
  describe(`persistence on ${ioredis.name}`, () => {
    const volatile = useRedisServer(ioredis, { persistence: 'none' });
    const aof = useRedisServer(ioredis, { persistence: 'aof' });
    const rdb = useRedisServer(ioredis, { persistence: 'rdb' });
    // As on most managed Redis, CONFIG is not available to clients.
    const managed = useRedisServer(ioredis, { args: ['--rename-command', 'CONFIG', ''] });

    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('without persistence a restart forgets revocations and used one-time ids (what the warning is about)', async () => {
      const client = volatile.connect();
      await volatile.connected(client);
      const store = new RedisRevocationStore({ client, prefix: prefix(), oneTimeTokens: true });
      await store.revokeToken('revoked', { expiresAt: now() + 300 });
      expect(await store.isRevoked(query('revoked'))).toBe(true);
      expect(await store.isRevoked(query('once'))).toBe(false);
      expect(await store.isRevoked(query('once'))).toBe(true);

      await volatile.restart(client);
      expect(await store.isRevoked(query('revoked'))).toBe(false); // accepted again
      expect(await store.isRevoked(query('once'))).toBe(false); // used a second time
    });

    it('without persistence: warns on first use, once per store and connection, and again after Redis restarts', async () => {
      const client = volatile.connect();
      await volatile.connected(client);
      const log = recordingLogger();
      const store = new RedisRevocationStore({
        client,
        prefix: prefix(),
        oneTimeTokens: true,
        logger: log.logger,
      });
      expect(log.lines).toEqual([]); // construction asks Redis nothing

      const warning = log.next('warn');
      expect(await store.isRevoked(query('t-1'))).toBe(false);
      expect(await warning).toMatch(VOLATILE_WARNING);
      expect(await store.checkPersistence()).toEqual({ persistent: false, appendonly: 'no', save: '' });
      await store.revokeToken('t-2', { expiresAt: now() + 60 });
      await store.isRevoked(query('t-3'));
      expect(await store.checkPersistence()).toEqual({ persistent: false, appendonly: 'no', save: '' });
      expect(log.at('warn')).toHaveLength(1);

      // Another store on the same connection says it too, once.
      const other = new RedisRevocationStore({ client, prefix: prefix(), logger: log.logger });
      await other.isRevoked(query('t-4'));
      await other.checkPersistence();
      expect(log.at('warn')).toHaveLength(2);

      // A new connection may be to another Redis process: checked, and said, again.
      await volatile.restart(client);
      const again = log.next('warn');
      await store.isRevoked(query('t-5'));
      expect(await again).toMatch(VOLATILE_WARNING);
      await store.isRevoked(query('t-6'));
      await store.checkPersistence();
      expect(log.at('warn')).toHaveLength(3);
      expect(log.at('info')).toEqual([]);
    });

    it('with AOF (appendonly yes): no warning, and revocations and used ids survive a restart', async () => {
      const client = aof.connect();
      await aof.connected(client);
      const log = recordingLogger();
      const store = new RedisRevocationStore({
        client,
        prefix: prefix(),
        oneTimeTokens: true,
        logger: log.logger,
      });
      await store.revokeToken('revoked', { expiresAt: now() + 300 });
      expect(await store.isRevoked(query('once'))).toBe(false);
      expect(await store.checkPersistence()).toEqual({ persistent: true, appendonly: 'yes', save: '' });

      await aof.restart(client);
      expect(await store.isRevoked(query('revoked'))).toBe(true);
      expect(await store.isRevoked(query('once'))).toBe(true);
      await store.checkPersistence();
      expect(log.at('warn')).toEqual([]);
      expect(log.at('debug')).toEqual([
        'RedisRevocationStore: Redis persists its data (appendonly yes, save "").',
        'RedisRevocationStore: Redis persists its data (appendonly yes, save "").',
      ]);
    });

    it('RDB snapshots (save) count as persistence', async () => {
      const client = rdb.connect();
      await rdb.connected(client);
      const log = recordingLogger();
      const store = new RedisRevocationStore({ client, logger: log.logger });
      expect(await store.checkPersistence()).toEqual({ persistent: true, appendonly: 'no', save: '60 1' });
      expect(log.at('warn')).toEqual([]);
    });

    it('CONFIG renamed away, as on managed Redis: says at info that persistence could not be determined, and works on', async () => {
      const client = managed.connect();
      await managed.connected(client);
      const log = recordingLogger();
      const store = new RedisRevocationStore({ client, prefix: prefix(), logger: log.logger });
      const info = log.next('info');
      expect(await store.isRevoked(query('t-1'))).toBe(false);
      expect(await info).toMatch(
        /^RedisRevocationStore: could not determine whether Redis persists its data \(CONFIG GET refused: ERR unknown command 'config'.*\)\. Make sure it does \(AOF or RDB snapshots\): without persistence, a restart loses every revocation/,
      );
      expect(await store.checkPersistence()).toEqual({
        persistent: undefined,
        reason: expect.stringMatching(/^ERR unknown command 'config'/),
      });
      await store.revokeToken('t-1', { expiresAt: now() + 60 });
      expect(await store.isRevoked(query('t-1'))).toBe(true);
      expect(log.at('info')).toHaveLength(1);
      expect(log.at('warn')).toEqual([]);
    });

    it('the nonce store warns too, naming what a restart would let through; not with AOF', async () => {
      const expiresAt = now() + 300;
      const log = recordingLogger();
      const client = volatile.connect();
      await volatile.connected(client);
      const nonces = new RedisNonceStore({ client, prefix: prefix(), logger: log.logger });
      const warning = log.next('warn');
      expect(await nonces.useOnce('hmac:billing:n-1', expiresAt)).toBe(true);
      expect(await warning).toMatch(
        /^RedisNonceStore: Redis does not persist its data \(appendonly no, save ""\): a restart loses every request nonce and DPoP proof id seen, so a signed request or proof captured before it is accepted again within its time window\./,
      );

      const durable = aof.connect();
      await aof.connected(durable);
      const persisted = new RedisNonceStore({ client: durable, prefix: prefix(), logger: log.logger });
      expect(await persisted.useOnce('hmac:billing:n-1', expiresAt)).toBe(true);
      expect(await persisted.checkPersistence()).toMatchObject({ persistent: true });
      expect(log.at('warn')).toHaveLength(1);
    });

    it('while Redis does not answer the check is postponed, and made on the first use once it answers', async () => {
      const client = volatile.connect();
      await volatile.connected(client);
      const log = recordingLogger();
      const store = new RedisRevocationStore({ client, prefix: prefix(), logger: log.logger });
      await volatile.server.stop();
      try {
        await volatile.disconnected(client);
        const report = await store.checkPersistence();
        expect(report.persistent).toBeUndefined();
        expect(report.reason).toEqual(expect.any(String));
        await expect(store.isRevoked(query('t-0'))).rejects.toThrow('revocation store unavailable');
        expect(await store.checkPersistence()).toMatchObject({ persistent: undefined });
        expect(log.at('debug')).toEqual([
          expect.stringMatching(/^RedisRevocationStore: persistence check postponed/),
        ]);
        expect(log.at('warn')).toEqual([]);
        expect(log.at('info')).toEqual([]);
      } finally {
        await volatile.server.start();
      }
      await volatile.connected(client);
      const warning = log.next('warn');
      await store.isRevoked(query('t-1'));
      expect(await warning).toMatch(VOLATILE_WARNING);
    });

    it('without a logger, nothing is asked of Redis or printed, unless checkPersistence() is called', async () => {
      const client = volatile.connect();
      await volatile.connected(client);
      const printed = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
        vi.spyOn(console, method).mockImplementation(() => {}),
      );
      const before = await configGets(client);
      const store = new RedisRevocationStore({ client, prefix: prefix(), oneTimeTokens: true });
      const nonces = new RedisNonceStore({ client, prefix: prefix() });
      await store.revokeToken('t-1', { expiresAt: now() + 60 });
      await store.isRevoked(query('t-2'));
      await nonces.useOnce('n-1', now() + 60);
      expect(await configGets(client)).toBe(before);

      expect(await store.checkPersistence()).toEqual({ persistent: false, appendonly: 'no', save: '' });
      expect(await configGets(client)).toBe(before + 2); // appendonly and save
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    });

    it('a throwing logger changes no answer', async () => {
      const client = volatile.connect();
      await volatile.connected(client);
      const fail = () => {
        throw new Error('log sink down');
      };
      const store = new RedisRevocationStore({
        client,
        prefix: prefix(),
        oneTimeTokens: true,
        logger: { warn: fail, info: fail, debug: fail },
      });
      expect(await store.isRevoked(query('t-1'))).toBe(false);
      expect(await store.checkPersistence()).toEqual({ persistent: false, appendonly: 'no', save: '' });
      expect(await store.isRevoked(query('t-1'))).toBe(true);
    });

    it('log lines never hold a token, a token id, a secret or a key', async () => {
      const log = recordingLogger();
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
      const secret = randomBytes(32).toString('base64url');
      const keyPrefix = prefix();
      const setUp = (fixture: typeof volatile) => {
        const client = fixture.connect();
        const revocation = new RedisRevocationStore({
          client,
          prefix: keyPrefix,
          oneTimeTokens: true,
          logger: log.logger,
        });
        const verifier = createVerifier({
          issuers: { issuer: ISSUER, jwks: { keys: [jwk] } },
          audience: 'payments',
          revocation,
        });
        const nonces = new RedisNonceStore({ client, prefix: keyPrefix, logger: log.logger });
        const signed = createHmacAuthenticator({ services: { billing: { secrets: [secret] } }, nonces });
        return { fixture, client, revocation, nonces, verifier, signed };
      };
      const replicas = [setUp(volatile), setUp(managed)];
      const jti = `charge-${randomBytes(8).toString('hex')}`;
      const token = await new SignJWT({ sub: 'orders', aud: 'payments', source: 'microservice', jti })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const authorization = signRequest({ keyId: 'billing', secret, url: 'http://orders.internal/orders' });
      for (const { fixture, client, revocation, nonces, verifier, signed } of replicas) {
        await fixture.connected(client);
        await verifier.verify(token);
        await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_revoked' });
        await revocation.revokeToken(jti, { expiresAt: now() + 60 });
        await signed.authenticate({
          method: 'GET',
          url: '/orders',
          headers: { host: 'orders.internal', authorization },
        });
        await Promise.all([revocation.checkPersistence(), nonces.checkPersistence()]);
      }
      expect(log.at('warn')).toHaveLength(2); // revocation and nonce store, without persistence
      expect(log.at('info')).toHaveLength(2); // the same, with CONFIG refused
      for (const { message } of log.lines) {
        for (const secretPart of [token, token.split('.')[2], jti, secret, authorization, keyPrefix]) {
          expect(message).not.toContain(secretPart);
        }
        expect(message).not.toMatch(/eyJ/);
      }
    });
  });
}
