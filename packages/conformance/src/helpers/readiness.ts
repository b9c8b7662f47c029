import { createVerifier, type Verifier } from '@org/auth-core';
import { expect } from 'vitest';
import type { Running } from '../client.js';
import { startJwksServer } from '../jwks-server.js';
import { createSigningKey } from '../tokens.js';

/**
 * Checks an adapter's readiness route, mounted by `mount` at the root of a loopback server for a
 * verifier whose key server is down at first: 503 with `Retry-After` and `ready: false` while no
 * keys could be loaded, then 200 with `ready: true` once the key server answers, without any
 * authenticated traffic (the probe itself starts the fetch).
 */
export async function expectReadinessRoute(mount: (verifier: Verifier) => Promise<Running>): Promise<void> {
  const key = await createSigningKey('ready-1');
  const keyServer = await startJwksServer([key.jwk]);
  keyServer.flakyUp = false;
  const verifier = createVerifier({
    issuers: [{ issuer: 'https://ready.internal', jwksUri: `${keyServer.url}/flaky/jwks.json` }],
    audience: 'payments',
  });
  const app = await mount(verifier);
  try {
    const down = await fetch(app.url);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.headers.get('cache-control')).toBe('no-store');
    expect(await down.json()).toMatchObject({
      ready: false,
      issuers: [{ issuer: 'https://ready.internal', ready: false, keys: 0 }],
    });
    keyServer.flakyUp = true;
    const deadline = Date.now() + 10_000;
    let up = await fetch(app.url);
    while (up.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      up = await fetch(app.url);
    }
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ ready: true, issuers: [{ ready: true, keys: 1 }] });
  } finally {
    verifier.close();
    await app.close();
    await keyServer.close();
  }
}
