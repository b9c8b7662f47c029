// The @org/auth-redis README's example, with tokens from @org/auth-client: two replicas of the
// payments service share revocations and one-time token ids through the Redis at REDIS_URL.
// Prints one line per step and exits 1 when one is not what the README says.
import { createSelfSignedSource, generateSigningKey } from '@org/auth-client';
import { createVerifier, isAuthError } from '@org/auth-core';
import { RedisRevocationStore, type RedisStoreLogger } from '@org/auth-redis';
import { Redis } from 'ioredis';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = await generateSigningKey({ alg: 'ES256' });
const source = createSelfSignedSource({ issuer: 'orders', key });
const warnings: string[] = [];
const logger: RedisStoreLogger = {
  warn: (message) => warnings.push(message),
  info: () => {},
  debug: () => {},
};

async function replica() {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const revocation = new RedisRevocationStore({ client, oneTimeTokens: true, logger });
  const verifier = createVerifier({
    issuers: { issuer: 'orders', jwks: { keys: [key.publicJwk!] } },
    audience: 'payments',
    revocation,
  });
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  await revocation.checkPersistence();
  return { client, revocation, verifier };
}
const [a, b] = await Promise.all([replica(), replica()]);

const attempt = async (verify: () => Promise<unknown>): Promise<string> => {
  try {
    await verify();
    return 'accepted';
  } catch (error) {
    return isAuthError(error) ? `${error.status} ${error.code}` : String(error);
  }
};

let failed = false;
const expect = (label: string, actual: string, expected: string) => {
  failed ||= actual !== expected;
  console.log(`${label}: ${actual}${actual === expected ? '' : ` (expected ${expected})`}`);
};

const token = (await source.getToken({ audience: 'payments' })).accessToken;
expect('first use on replica A', await attempt(() => a.verifier.verify(token)), 'accepted');
expect('replay on replica B', await attempt(() => b.verifier.verify(token)), '401 token_revoked');

const other = (await source.getToken({ audience: 'payments' })).accessToken;
const { jti } = JSON.parse(Buffer.from(other.split('.')[1] ?? '', 'base64url').toString()) as { jti: string };
await a.revocation.revokeToken(jti, { expiresAt: Math.floor(Date.now() / 1000) + 300 });
expect('revoked on A, used on B', await attempt(() => b.verifier.verify(other)), '401 token_revoked');
expect(
  'persistence warning (Redis started without persistence)',
  warnings.some((message) => message.includes('does not persist')) ? 'logged' : 'missing',
  'logged',
);

a.client.disconnect();
b.client.disconnect();
process.exitCode = failed ? 1 : 0;
