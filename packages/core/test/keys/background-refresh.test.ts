import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '../../src/index.js';
import { type JwksServer, startJwksServer } from '../support/jwks-server.js';
import { AUDIENCE, createIssuerKeys, ISSUER, mintToken } from '../support/tokens.js';

const k1 = createIssuerKeys('ES256', { kid: 'k1' });
const k2 = createIssuerKeys('ES256', { kid: 'k2' });

let server: JwksServer;
let verifier: Verifier | undefined;

beforeEach(async () => {
  server = await startJwksServer();
  server.setKeys([k1.publicJwk]);
});

afterEach(async () => {
  verifier?.close();
  verifier = undefined;
  await server.close();
});

function build(options: { cacheMaxAge: number; cooldown?: number; maxStale?: number }): Verifier {
  verifier = createVerifier({
    issuers: { issuer: ISSUER, jwksUri: server.jwksUri, backgroundRefresh: true, ...options },
    audience: AUDIENCE,
  });
  return verifier;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('background refresh', () => {
  it('fetches the keys as soon as the verifier is built', async () => {
    const built = build({ cacheMaxAge: 60 });
    await until(() => built.health().ready);
    expect(server.requests()).toBe(1);
  });

  it('refreshes on a timer before the keys go stale, so a rotation is picked up without a request waiting', async () => {
    const built = build({ cacheMaxAge: 0.5 });
    await until(() => server.requests() === 1);
    server.setKeys([k2.publicJwk]);
    await until(() => server.requests() >= 2);
    await until(() => built.health().issuers[0]?.fetchedAt !== undefined);
    const requestsBefore = server.requests();
    await expect(built.verify(await mintToken({ key: k2, now: Date.now() }))).resolves.toMatchObject({
      issuer: ISSUER,
    });
    // The key was already there: the request did not have to fetch.
    expect(server.requests()).toBe(requestsBefore);
  });

  it('retries when the back-off (at most the cooldown) ends after a background fetch fails', async () => {
    server.setMode({ status: 500 });
    const built = build({ cacheMaxAge: 60, cooldown: 0.1 });
    await until(() => server.requests() >= 1);
    server.setMode('ok');
    await until(() => built.health().ready, 5000);
    expect(server.requests()).toBeGreaterThanOrEqual(2);
  });

  it('keeps to the back-off after the stale keys expire: a few fetches, no tight loop', async () => {
    const built = build({ cacheMaxAge: 0.2, maxStale: 0 });
    await until(() => built.health().ready);
    server.setMode({ status: 500 });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(built.health().ready).toBe(false);
    // A refresh at 80% of the max age, one when the keys expire, then one every 1.5 to 2 s.
    expect(server.requests()).toBeGreaterThanOrEqual(3);
    expect(server.requests()).toBeLessThanOrEqual(6);
  });

  it('stops when the verifier is closed', async () => {
    const built = build({ cacheMaxAge: 0.2 });
    await until(() => server.requests() === 1);
    built.close();
    const seen = server.requests();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(server.requests()).toBe(seen);
  });

  it('is validated at construction', () => {
    expect(() =>
      createVerifier({
        issuers: { issuer: ISSUER, jwksUri: server.jwksUri, backgroundRefresh: 'yes' as never },
        audience: AUDIENCE,
      }),
    ).toThrow('issuers[0].backgroundRefresh: expected true or false');
  });
});
