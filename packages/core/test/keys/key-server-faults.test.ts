/**
 * Key-server faults not covered by remote-key-source.test.ts, against a real JWKS server on
 * loopback with a frozen clock: a flapping endpoint, keys without kid and with duplicate kids,
 * rotation with and without overlap, and a flood of random unknown kids (fetches stay within the
 * unknown-kid budget, counted, never timed). The same faults on the real clock are in
 * key-server-recovery.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVerifier, type Verifier } from '../../src/verifier/verifier.js';
import { expectAuthError } from '../support/auth-errors.js';
import { type JwksServer, startJwksServer } from '../support/jwks-server.js';
import { AUDIENCE, createIssuerKeys, ISSUER, type IssuerKeys, mintToken, T0 } from '../support/tokens.js';

const MAX_AGE = 600_000; // '10m'
const COOLDOWN = 30_000; // '30s'
const KID_BUDGET = 10; // unknownKidFetchesPerMinute, default

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

let refreshes: number;
let failures: number;

function verifier(): Verifier {
  refreshes = 0;
  failures = 0;
  return createVerifier({
    issuers: { issuer: ISSUER, jwksUri: server.jwksUri, cacheMaxAge: '10m', cooldown: '30s', maxStale: '1h' },
    audience: AUDIENCE,
    cache: false,
    now: () => t,
    onEvent: (event) => {
      if (event.type === 'keys_refreshed') refreshes += 1;
      if (event.type === 'keys_fetch_failed') failures += 1;
    },
  });
}
const token = (key: IssuerKeys, options: { kid?: string | false } = {}) =>
  mintToken({ key, now: t, ...options });
/**
 * `jwt` with another `kid` in its header: a flood's token, refused for its kid before its
 * signature or claims are read, made without signing thousands of tokens.
 */
function withKid(jwt: string, kid: string): string {
  const [header, ...rest] = jwt.split('.');
  const fields = JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as Record<string, unknown>;
  return [Buffer.from(JSON.stringify({ ...fields, kid })).toString('base64url'), ...rest].join('.');
}

describe('key-server faults', () => {
  it('a flapping endpoint: keys keep serving through failures, and each success is picked up', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    for (let round = 0; round < 4; round++) {
      t += MAX_AGE + 1;
      server.setMode(round % 2 === 0 ? { status: 500 } : 'ok');
      // Failing or not, the cached keys keep verifying within maxStale, without waiting.
      await expect(v.verify(await token(k1))).resolves.toBeDefined();
      // Each round starts one background refresh.
      await vi.waitFor(() => expect(refreshes + failures).toBe(round + 2));
    }
    expect({ refreshes, failures }).toEqual({ refreshes: 3, failures: 2 });
    // The endpoint comes back with a rotated set: picked up at the next refresh. k2 is unknown
    // to the stale set, so the request waits for that refresh and is accepted.
    server.setMode('ok');
    server.setKeys([k2.publicJwk]);
    t += MAX_AGE + 1;
    await v.verify(await token(k2));
    expect(refreshes).toBe(4);
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
    // A refused set is a failed fetch: throttled by the back-off like any other.
    expect(server.requests()).toBe(1);
  });

  it('duplicate kids: a key slipped in under a known kid never verifies, and the good key keeps serving', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    server.setKeys([k1.publicJwk, attacker.publicJwk]);
    for (let round = 0; round < 3; round++) {
      t += MAX_AGE + 1;
      await v.verify(await token(k1));
      await vi.waitFor(() => expect(server.requests()).toBe(round + 2));
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
    // The first k2 token triggers one refetch.
    t += COOLDOWN;
    await v.verify(await token(k2));
    await v.verify(await token(k1));
    server.setKeys([k2.publicJwk]);
    t += MAX_AGE + 1;
    await v.verify(await token(k2));
    // Served by the stale set; the refresh it started drops k1.
    await vi.waitFor(() => expect(refreshes).toBe(3));
    await expectAuthError(v.verify(await token(k1)), 'unknown_key');
  });

  it('rotation without overlap: new tokens verify at once through the unknown-kid refetch', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    server.setKeys([k2.publicJwk]);
    t += COOLDOWN;
    await v.verify(await token(k2));
    // k1 left the set: its tokens fail; within unknownKidInterval no further fetch is made for them.
    const before = server.requests();
    await expectAuthError(v.verify(await token(k1)), 'unknown_key');
    expect(server.requests()).toBe(before);
  });

  it('a flood of random unknown kids costs at most unknownKidFetchesPerMinute fetches a minute', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    // 5 minutes of 20 random kids a second (every 50 ms on the test clock).
    const perMinute: number[] = [];
    const flood = await token(attacker);
    for (let minute = 0; minute < 5; minute++) {
      const before = server.requests();
      for (let i = 0; i < 1200; i++) {
        await expectAuthError(v.verify(withKid(flood, randomUUID())), 'unknown_key');
        t += 50;
      }
      perMinute.push(server.requests() - before);
    }
    // The budget is spent in the first seconds of each minute, and never exceeded.
    expect(perMinute).toEqual([KID_BUDGET, KID_BUDGET, KID_BUDGET, KID_BUDGET, KID_BUDGET]);
    // And the good key is still there.
    await v.verify(await token(k1));
  });

  it('during a flood, a key rotated in is picked up by the next budgeted fetch', async () => {
    const v = verifier();
    await v.verify(await token(k1));
    // 12 s of random kids: one refetch a second (unknownKidInterval) until the budget is spent.
    const flood = await token(attacker);
    for (let i = 0; i < 240; i++) {
      await expectAuthError(v.verify(withKid(flood, randomUUID())), 'unknown_key');
      t += 50;
    }
    expect(server.requests()).toBe(1 + KID_BUDGET);
    // The minute's budget is spent: the new key is 401 until a fetch is allowed again...
    server.setKeys([k1.publicJwk, k2.publicJwk]);
    const spent = server.requests();
    await expectAuthError(v.verify(await token(k2)), 'unknown_key');
    expect(server.requests()).toBe(spent);
    // ...which is when the oldest fetch of the window is a minute old (at most a minute).
    t = T0 + 1000 + 60_000;
    await v.verify(await token(k2));
    expect(server.requests()).toBe(spent + 1);
  });
});
