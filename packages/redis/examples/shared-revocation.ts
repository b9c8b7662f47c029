// Two replicas of the payments service share revocations and replay protection through Redis.
// Run it against a Redis of yours: REDIS_URL=redis://127.0.0.1:6379 npx tsx shared-revocation.ts
import { createVerifier, isAuthError } from '@org/auth-core';
import { RedisRevocationStore } from '@org/auth-redis';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// The orders service's signing key; in production it lives with orders, and payments knows its JWKS.
const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'orders-1', alg: 'ES256' }] };

// Each replica has its own connection and verifier; Redis is what they share.
async function replica() {
  // Fail fast while Redis is down (the store answers 503 then), instead of queueing commands.
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const revocation = new RedisRevocationStore({
    client,
    oneTimeTokens: true, // each jti may be used once
    onError: (error, { operation }) =>
      console.error(`revocation store: ${operation} failed: ${error.message}`),
    logger: console, // warns when Redis would forget revocations on a restart
  });
  const verifier = createVerifier({
    issuers: { issuer: 'https://orders.internal', jwks },
    audience: 'payments',
    revocation,
  });
  await new Promise((resolve) => client.once('ready', resolve));
  await revocation.checkPersistence(); // at startup, rather than on the first request
  return { client, revocation, verifier };
}
const [a, b] = await Promise.all([replica(), replica()]);

const mint = (jti: string) =>
  new SignJWT({ sub: 'orders', aud: 'payments', source: 'microservice', jti })
    .setProtectedHeader({ alg: 'ES256', kid: 'orders-1' })
    .setIssuer('https://orders.internal')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
const attempt = async (label: string, verify: () => Promise<unknown>) => {
  try {
    await verify();
    console.log(`${label}: accepted`);
  } catch (error) {
    console.log(`${label}: ${isAuthError(error) ? `${error.status} ${error.code}` : String(error)}`);
  }
};

// Fresh ids on each run: with a persistent Redis, the ids of the last run are still used or revoked.
const [first, second] = [`charge-${crypto.randomUUID()}`, `charge-${crypto.randomUUID()}`];
const token = await mint(first);
await attempt('first use on replica A', () => a.verifier.verify(token));
await attempt('replay on replica B', () => b.verifier.verify(token));

const other = await mint(second);
await a.revocation.revokeToken(second, { expiresAt: Math.floor(Date.now() / 1000) + 300 });
await attempt('revoked on A, used on B', () => b.verifier.verify(other));

a.client.disconnect();
b.client.disconnect();
