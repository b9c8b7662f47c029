// Two replicas of the payments service share revocations and replay protection through Redis.
import { createVerifier, isAuthError } from '@org/auth-core';
import { RedisRevocationStore } from '@org/auth-redis';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export async function main(redisUrl: string): Promise<string[]> {
  const lines: string[] = [];
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'orders-1', alg: 'ES256' }] };

  // Each replica has its own connection and verifier; Redis is what they share.
  const replica = () => {
    // Fail fast while Redis is down (the store answers 503 then), instead of queueing commands.
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const revocation = new RedisRevocationStore({
      client,
      oneTimeTokens: true, // each jti may be used once
      onError: (error, { operation }) =>
        console.error(`revocation store: ${operation} failed: ${error.message}`),
    });
    const verifier = createVerifier({
      issuers: { issuer: 'https://orders.internal', jwks },
      audience: 'payments',
      revocation,
    });
    return { client, revocation, verifier };
  };
  const [a, b] = [replica(), replica()];
  await Promise.all(
    [a.client, b.client].map((client) => new Promise((resolve) => client.once('ready', resolve))),
  );

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
      lines.push(`${label}: accepted`);
    } catch (error) {
      lines.push(`${label}: ${isAuthError(error) ? `${error.status} ${error.code}` : String(error)}`);
    }
  };

  const token = await mint('charge-42');
  await attempt('first use on replica A', () => a.verifier.verify(token));
  await attempt('replay on replica B', () => b.verifier.verify(token));

  const other = await mint('charge-43');
  await a.revocation.revokeToken('charge-43', { expiresAt: Math.floor(Date.now() / 1000) + 300 });
  await attempt('revoked on A, used on B', () => b.verifier.verify(other));

  a.client.disconnect();
  b.client.disconnect();
  return lines;
}
