// A complete, runnable example: the orders service calls the payments service.
// Run it with `pnpm example` from the repository root.
import { createServer } from 'node:http';
import { createVerifier, requirePermission } from '@org/auth-core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

// --- The calling service (orders) has a key pair and publishes its public key. ---
const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'orders-2026-01', alg: 'ES256', use: 'sig' }] };
const jwksServer = createServer((_request, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
});
await new Promise((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
const jwksUri = `http://127.0.0.1:${jwksServer.address().port}/.well-known/jwks.json`;

// orders mints a short-lived token for exactly one audience: payments.
const mint = (claims = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: 'https://orders.internal',
    sub: 'orders',
    aud: 'payments',
    iat: now,
    exp: now + 300,
    source: 'microservice',
    permissions: ['payments:charge'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'orders-2026-01' })
    .sign(privateKey);
};

// --- The receiving service (payments) builds one verifier at start-up. ---
const verifier = createVerifier({
  issuers: [{ issuer: 'https://orders.internal', jwksUri }],
  audience: 'payments',
  services: { callers: ['orders'] },
  onEvent: (event) => {
    if (event.type === 'rejected')
      console.log(`  audit: rejected ${event.code} (caller ${event.caller ?? 'unknown'})`);
  },
});
await verifier.ready(); // fetch the keys now rather than on the first request

// A request as Node parses it: only the headers matter here.
const request = (token) => ({ headers: { authorization: `Bearer ${token}` } });

const auth = await verifier.authenticate(request(await mint()));
console.log(`accepted: ${auth.kind} token from ${auth.caller}, may charge: ${auth.can('payments:charge')}`);
await requirePermission('payments:charge')(auth); // resolves: the permission is granted

for (const [label, token] of [
  [
    'expired token',
    await mint({ iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 }),
  ],
  ['token for another service', await mint({ aud: 'inventory' })],
  ['token from an unknown caller', await mint({ sub: 'reporting' })],
]) {
  try {
    await verifier.authenticate(request(token));
  } catch (error) {
    console.log(`rejected ${label}: ${error.status} ${error.code} "${error.message}"`);
  }
}

jwksServer.close();
