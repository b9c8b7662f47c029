// A CommonJS application ("type": "commonjs"). Its static imports compile to require(): Node.js
// ^20.19 and >=22.12 load the ESM-only packages that way (require of ESM), and TypeScript accepts it
// from 5.8 with "module": "nodenext" (5.9 also with "node20"; "node16" and "node18" answer TS1479).
// `await import()` works from CommonJS too, with any of those settings and older TypeScript.
import type { AddressInfo } from 'node:net';
import { requirePermission, serviceAuth } from '@org/auth-express';
import express from 'express';

async function main(): Promise<boolean> {
  if (typeof require !== 'function' || typeof module !== 'object') throw new Error('not running as CommonJS');
  const { createSelfSignedSource, createTokenClient, generateSigningKey } = await import('@org/auth-client');

  const key = await generateSigningKey({ alg: 'ES256' });
  const app = express();
  app.use(
    serviceAuth({ issuers: [{ issuer: 'billing', jwks: { keys: [key.publicJwk!] } }], audience: 'orders' }),
  );
  app.get('/orders', requirePermission('orders:read'), (req, res) => {
    const caller: string | undefined = req.auth?.caller;
    res.json({ caller });
  });
  app.post('/orders', requirePermission('orders:create'), (_req, res) => {
    res.status(201).end();
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;

  const tokens = createTokenClient({
    source: createSelfSignedSource({ issuer: 'billing', key, permissions: ['orders:read'] }),
  });
  const authorization = `Bearer ${await tokens.getToken('orders')}`;
  const calls: [string, () => Promise<Response>, number][] = [
    [
      'GET with orders:read',
      () => fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(5000) }),
      200,
    ],
    [
      'POST without orders:create',
      () => fetch(url, { method: 'POST', headers: { authorization }, signal: AbortSignal.timeout(5000) }),
      403,
    ],
    ['GET without a token', () => fetch(url, { signal: AbortSignal.timeout(5000) }), 401],
  ];
  let ok = true;
  try {
    for (const [label, call, expected] of calls) {
      const { status } = await call();
      ok &&= status === expected;
      console.log(`${label}: ${status}${status === expected ? '' : ` (expected ${expected})`}`);
    }
  } finally {
    server.close();
  }
  return ok;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
