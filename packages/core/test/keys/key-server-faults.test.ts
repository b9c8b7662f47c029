/**
 * Key-server faults not covered by remote-key-source.test.ts, against a real JWKS server on
 * loopback with a frozen clock: a flapping endpoint, keys without kid and with duplicate kids,
 * rotation with and without overlap, and a flood of random unknown kids (fetches stay within the
 * cooldown budget, counted, never timed).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '../../src/verifier/verifier.js';
import { expectAuthError } from '../support/auth-errors.js';
import { type JwksServer, startJwksServer } from '../support/jwks-server.js';
import { AUDIENCE, createIssuerKeys, ISSUER, type IssuerKeys, mintToken, T0 } from '../support/tokens.js';

const MAX_AGE = 600_000; // '10m'
const COOLDOWN = 30_000; // '30s'

let server: JwksServer;
let t: number;
let k1: IssuerKeys;
let k2: IssuerKeys;
let attacker: IssuerKeys;

beforeAll(() => {
  k1 = createIssuerKeys('ES256', { kid: 'k1' });
  k2 = createIssuerKeys('ES256', { kid: 'k2' });
  attacker = createIssuerKeys('ES256', { kid: 'k1' });
});
beforeEach(async () => {
  server = await startJwksServer();
  server.setKeys([k1.publicJwk]);
  t = T0;
});
afterEach(() => server.close());

function verifier(): Verifier {
  return createVerifier({
    issuers: { issuer: ISSUER, jwksUri: server.jwksUri, cacheMaxAge: '10m', cooldown: '30s', maxStale: '1h' },
    audience: AUDIENCE,
    cache: false,
    now: () => t,
  });
}
const token = (key: IssuerKeys, options: { kid?: string | false } = {}) =>
  mintToken({ key, now: t, ...options });

describe('key-server faults', () => {
  it('a flapping endpoint: keys keep serving through failures, and each success is picked up', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    for (let round = 0; round < 4; round++) {
      t += MAX_AGE + 1;
      server.setMode(round % 2 === 0 ? { status: 500 } : 'ok');
      // Failing or not, the cached keys keep verifying within maxStale.
      await expect(v.verify(await token(k1))).resolves.toBeDefined();
    }
    // The endpoint comes back with a rotated set: picked up at the next refresh.
    server.setMode('ok');
    server.setKeys([k2.publicJwk]);
    t += MAX_AGE + 1;
    await v.verify(await token(k2));
    await expectAuthError(v.verify(await token(k1)), 'unknown_key');
  });

  it('keys without kid verify tokens without kid; a token naming a kid needs that kid', async () => {
    const { kid: _kid, ...anonymous } = k1.publicJwk;
    server.setKeys([anonymous]);
    const v = verifier();
    await v.verify(await token(k1, { kid: false }));
    await expectAuthError(v.verify(await token(k1)), 'unknown_key');
  });

  it('duplicate kids: a kid naming two different keys refuses the set, and no token of either verifies', async () => {
    const twin = createIssuerKeys('ES256', { kid: 'k1' });
    server.setKeys([k1.publicJwk, twin.publicJwk]);
    const v = verifier();
    await expectAuthError(v.verify(await token(k1)), 'keys_unavailable');
    await expectAuthError(v.verify(await token(twin)), 'keys_unavailable');
    await expectAuthError(v.verify(await token(attacker)), 'keys_unavailable');
    // A refused set is a failed fetch: throttled by the cooldown like any other.
    expect(server.requests()).toBe(1);
  });

  it('duplicate kids: a key slipped in under a known kid never verifies, and the good key keeps serving', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    server.setKeys([k1.publicJwk, attacker.publicJwk]);
    for (let round = 0; round < 3; round++) {
      t += MAX_AGE + 1;
      await v.verify(await token(k1));
      await expectAuthError(v.verify(await token(attacker)), 'invalid_signature');
    }
    expect(v.health().issuers[0]).toMatchObject({
      keys: 1,
      fetchedAt: T0,
      lastError: 'duplicate kid "k1" names two different keys',
    });
  });

  it('duplicate kids: the same key listed twice is one key', async () => {
    server.setKeys([k1.publicJwk, { ...k1.publicJwk }, k2.publicJwk]);
    const v = verifier();
    await v.verify(await token(k1));
    await v.verify(await token(k2));
    await expectAuthError(v.verify(await token(attacker)), 'invalid_signature');
    expect(server.requests()).toBe(1);
  });

  it('rotation with overlap: old and new tokens verify during the overlap, old ones stop after it', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    server.setKeys([k1.publicJwk, k2.publicJwk]);
    // Once the cooldown since the last fetch has passed, the first k2 token triggers one refetch.
    t += COOLDOWN;
    await v.verify(await token(k2));
    await v.verify(await token(k1));
    server.setKeys([k2.publicJwk]);
    t += MAX_AGE + 1;
    await v.verify(await token(k2));
    await expectAuthError(v.verify(await token(k1)), 'unknown_key');
  });

  it('rotation without overlap: new tokens verify at once through the unknown-kid refetch', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    server.setKeys([k2.publicJwk]);
    t += COOLDOWN;
    await v.verify(await token(k2));
    // k1 left the set: its tokens fail; within the cooldown no further fetch is made for them.
    const before = server.requests();
    await expectAuthError(v.verify(await token(k1)), 'unknown_key');
    expect(server.requests()).toBe(before);
  });

  it('a flood of random unknown kids costs at most one fetch per cooldown', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    const start = server.requests();
    let windows = 0;
    for (let window = 0; window < 5; window++) {
      for (let i = 0; i < 40; i++) {
        await expectAuthError(v.verify(await token(attacker, { kid: randomUUID() })), 'unknown_key');
      }
      windows++;
      t += COOLDOWN;
    }
    expect(server.requests() - start).toBeLessThanOrEqual(windows);
    // And the good key is still there.
    await v.verify(await token(k1));
  });
});
