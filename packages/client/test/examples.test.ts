import { AuthError, createVerifier } from '@org/auth-core';
import { afterEach, expect, it, vi } from 'vitest';
import { exportPrivateKeyPem, generateSigningKey } from '../src/index.js';
import { startServer } from './helpers.js';
import { CLIENT_SECRET, startAuthorizationServer } from './oidc-provider.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

it('README: a calling service in a dozen lines', async () => {
  const key = await generateSigningKey();
  const verifier = createVerifier({
    issuers: { issuer: 'billing', jwks: { keys: [key.publicJwk!] } },
    audience: 'orders',
  });
  const orders = await startServer(async (req, res) => {
    try {
      const auth = await verifier.authenticate(req);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 42, caller: auth?.caller }));
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      res.writeHead(error.status, error.headers).end(JSON.stringify(error));
    }
  });
  try {
    vi.stubEnv('ORDERS_URL', orders.url);
    vi.stubEnv('BILLING_PRIVATE_KEY', exportPrivateKeyPem(key));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/calling-service.js');
    expect(log.mock.calls).toEqual([[200, { id: 42, caller: 'billing' }]]);
  } finally {
    await orders.close();
  }
});

it('README: client credentials', async () => {
  const key = await generateSigningKey();
  const as = await startAuthorizationServer({ clientJwk: key.publicJwk! });
  try {
    vi.stubEnv('TOKEN_ISSUER', as.issuer);
    vi.stubEnv('BILLING_CLIENT_SECRET', CLIENT_SECRET);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/client-credentials.js');
    expect(log.mock.calls).toEqual([['got a token of', 3, 'parts']]);
  } finally {
    await as.close();
  }
});

it('README: publishing and rotating keys', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import('../examples/publish-keys.js');
  expect(log.mock.calls).toEqual([['published keys:', 3]]);
});
