import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthEvent, KeysFetchFailedEvent, KeysRefreshedEvent } from '../../src/events.js';
import type { JwksUriIssuer } from '../../src/keys/issuer-options.js';
import { createVerifier, type Verifier } from '../../src/verifier/verifier.js';
import { expectAuthError } from '../support/auth-errors.js';
import { type JwksServer, type JwksServerMode, startJwksServer } from '../support/jwks-server.js';
import {
  AUDIENCE,
  createIssuerKeys,
  ISSUER,
  type IssuerKeys,
  type MintOptions,
  mintToken,
  rsaSignedToken,
  T0,
} from '../support/tokens.js';

// Remote settings used throughout, in ms for the clock arithmetic.
const MAX_AGE = 600_000; // cacheMaxAge '10m'
const COOLDOWN = 30_000; // cooldown '30s': the longest back-off after failures
const MAX_STALE = 3_600_000; // maxStale '1h'
const KID_INTERVAL = 1_000; // unknownKidInterval '1s'

let server: JwksServer;
let t: number;
let events: AuthEvent[];
let k1: IssuerKeys;
let k2: IssuerKeys;
let k3: IssuerKeys;
let weak: IssuerKeys;

beforeAll(() => {
  k1 = createIssuerKeys('ES256', { kid: 'k1' });
  k2 = createIssuerKeys('ES256', { kid: 'k2' });
  k3 = createIssuerKeys('ES256', { kid: 'k3' });
  weak = createIssuerKeys('RS256', { kid: 'weak', modulusLength: 1024 });
});

beforeEach(async () => {
  server = await startJwksServer();
  server.setKeys([k1.publicJwk]);
  t = T0;
  events = [];
});

afterEach(async () => {
  await server.close();
});

type VerifierSetup = Omit<JwksUriIssuer, 'issuer' | 'jwksUri'> & { readonly cache?: boolean };

/** A verifier trusting the test server, on the frozen clock, with the verified-token cache off. */
function remoteVerifier(setup: VerifierSetup = {}): Verifier {
  const { cache = false, ...issuer } = setup;
  return createVerifier({
    issuers: {
      issuer: ISSUER,
      jwksUri: server.jwksUri,
      cacheMaxAge: '10m',
      cooldown: '30s',
      maxStale: '1h',
      ...issuer,
    },
    audience: AUDIENCE,
    ...(cache ? {} : { cache: false }),
    now: () => t,
    onEvent: (event) => events.push(event),
  });
}

/** A fresh token (new jti) issued at the current test time. */
function token(key: IssuerKeys, options: Omit<MintOptions, 'key'> = {}): Promise<string> {
  return mintToken({ key, now: t, ...options });
}

function eventsOf<T extends AuthEvent['type']>(type: T): Extract<AuthEvent, { type: T }>[] {
  return events.filter((event): event is Extract<AuthEvent, { type: T }> => event.type === type);
}

function lastFailure(): KeysFetchFailedEvent | undefined {
  return eventsOf('keys_fetch_failed').at(-1);
}

function lastRefresh(): KeysRefreshedEvent | undefined {
  return eventsOf('keys_refreshed').at(-1);
}

/** The global fetch, counted: refused connections never reach the server's own counter. */
function countingFetch(): { fetch: typeof globalThis.fetch; count: () => number } {
  let calls = 0;
  return {
    fetch: (input, init) => {
      calls += 1;
      return globalThis.fetch(input, init);
    },
    count: () => calls,
  };
}

describe('fetching', () => {
  it('fetches lazily on the first verification, not at construction', async () => {
    const verifier = remoteVerifier();
    expect(server.requests()).toBe(0);

    const auth = await verifier.verify(await token(k1));
    expect(auth.subject).toBe('orders');
    expect(server.requests()).toBe(1);

    await verifier.verify(await token(k1));
    expect(server.requests()).toBe(1);
  });

  it('ready() fetches eagerly, and later verifications use those keys', async () => {
    const verifier = remoteVerifier();
    await verifier.ready();
    expect(server.requests()).toBe(1);

    await verifier.verify(await token(k1));
    expect(server.requests()).toBe(1);
  });

  it('ready() rejects with keys_unavailable when the server is down', async () => {
    await server.stop();
    const verifier = remoteVerifier();
    const error = await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(error.status).toBe(503);
  });

  it('health() reports each issuer without ever fetching', async () => {
    const verifier = remoteVerifier();
    expect(verifier.health()).toEqual({
      ready: false,
      issuers: [{ issuer: ISSUER, source: 'remote', ready: false, keys: 0 }],
      signatures: { eventLoop: 0, threadPool: 0, inFlight: 0 },
    });
    expect(server.requests()).toBe(0);

    await verifier.ready();
    expect(verifier.health()).toEqual({
      ready: true,
      issuers: [{ issuer: ISSUER, source: 'remote', ready: true, keys: 1, fetchedAt: T0, stale: false }],
      signatures: { eventLoop: 0, threadPool: 0, inFlight: 0 },
    });

    // Past the max age, with the server failing: health still never fetches.
    server.setMode({ status: 500 });
    t = T0 + MAX_AGE + 1;
    expect(verifier.health().issuers[0]).toMatchObject({ ready: true, stale: true });
    expect(server.requests()).toBe(1);

    // A request is served from the stale keys and starts one refresh, which fails.
    await verifier.verify(await token(k1));
    await vi.waitFor(() => expect(lastFailure()).toBeDefined());
    expect(server.requests()).toBe(2);
    expect(verifier.health()).toEqual({
      ready: true,
      issuers: [
        {
          issuer: ISSUER,
          source: 'remote',
          ready: true,
          keys: 1,
          fetchedAt: T0,
          stale: true,
          lastError: 'answered HTTP 500',
        },
      ],
      signatures: { eventLoop: 1, threadPool: 0, inFlight: 0 },
    });

    t = T0 + MAX_AGE + MAX_STALE + 1;
    expect(verifier.health()).toMatchObject({ ready: false, issuers: [{ ready: false, stale: true }] });
    expect(server.requests()).toBe(2);
  });
});

describe('cache max age', () => {
  it('does not refetch within 80% of cacheMaxAge', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    t = T0 + MAX_AGE * 0.8;
    await verifier.verify(await token(k1));
    expect(server.requests()).toBe(1);
  });

  it('past cacheMaxAge a request with a cached kid is served at once while one refresh runs; later requests use the new set', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setKeys([k2.publicJwk]);
    server.setMode({ slow: 200 });

    t = T0 + MAX_AGE + 1;
    // Stale but within maxStale: k1 still verifies, nobody waits for the slow refresh.
    await verifier.verify(await token(k1));
    await verifier.verify(await token(k1));
    expect(eventsOf('keys_refreshed')).toHaveLength(1);
    await vi.waitFor(() => expect(eventsOf('keys_refreshed')).toHaveLength(2));
    expect(server.requests()).toBe(2);

    // The refresh dropped k1: a 401 now, without another fetch (the server has just answered).
    await expectAuthError(verifier.verify(await token(k1)), 'unknown_key');
    await verifier.verify(await token(k2));
    expect(server.requests()).toBe(2);
  });

  it('past 80% of cacheMaxAge a request refreshes in the background and is served from the cache', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setKeys([k2.publicJwk]);
    server.setMode({ slow: 300 });

    t = T0 + MAX_AGE * 0.8 + 1;
    // Served by the cached k1 while the refresh that will drop k1 is still on its way.
    await verifier.verify(await token(k1));
    await vi.waitFor(() => expect(server.requests()).toBe(2));
    expect(eventsOf('keys_refreshed')).toHaveLength(1);

    await vi.waitFor(() => expect(eventsOf('keys_refreshed')).toHaveLength(2));
    await verifier.verify(await token(k2));
    expect(server.requests()).toBe(2);
    expect(verifier.health().issuers[0]).toMatchObject({ fetchedAt: t, stale: false });
  });
});

describe('unknown kid', () => {
  it('refetches once and picks up a rotated key', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setKeys([k1.publicJwk, k2.publicJwk]);

    t = T0 + COOLDOWN;
    await verifier.verify(await token(k2));
    expect(server.requests()).toBe(2);
    expect(lastRefresh()).toMatchObject({ keys: 2, skipped: [] });
  });

  it('a key published right after a fetch is picked up once unknownKidInterval has passed', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));

    // Right after the first fetch: within the interval, no refetch; the server answered, so 401.
    server.setKeys([k1.publicJwk, k2.publicJwk]);
    const early = await expectAuthError(verifier.verify(await token(k2)), 'unknown_key');
    expect(early.status).toBe(401);
    expect(early.headers['WWW-Authenticate']).toContain('error="invalid_token"');
    expect(server.requests()).toBe(1);

    t = T0 + KID_INTERVAL - 1;
    await expectAuthError(verifier.verify(await token(k2)), 'unknown_key');
    expect(server.requests()).toBe(1);

    t = T0 + KID_INTERVAL;
    await verifier.verify(await token(k2));
    expect(server.requests()).toBe(2);
  });

  it('refetches at most unknownKidFetchesPerMinute times in any minute', async () => {
    const verifier = remoteVerifier({ unknownKidFetchesPerMinute: 3 });
    await verifier.verify(await token(k1));
    for (let i = 0; i < 5; i++) {
      t += KID_INTERVAL;
      await expectAuthError(verifier.verify(await token(k3)), 'unknown_key');
    }
    // The first fetch was not for an unknown kid; three refetches, then the budget is spent.
    expect(server.requests()).toBe(4);

    // The first refetch leaves the window 60 s after it started: one more is allowed.
    t = T0 + KID_INTERVAL + 60_000 - 1;
    await expectAuthError(verifier.verify(await token(k3)), 'unknown_key');
    expect(server.requests()).toBe(4);
    t += 1;
    await expectAuthError(verifier.verify(await token(k3)), 'unknown_key');
    expect(server.requests()).toBe(5);
  });

  it('unknownKidFetchesPerMinute: 0 never refetches for an unknown kid', async () => {
    const verifier = remoteVerifier({ unknownKidFetchesPerMinute: 0 });
    await verifier.verify(await token(k1));
    server.setKeys([k1.publicJwk, k2.publicJwk]);
    t = T0 + MAX_AGE * 0.5;
    await expectAuthError(verifier.verify(await token(k2)), 'unknown_key');
    expect(server.requests()).toBe(1);
  });
});

describe('single flight', () => {
  it('20 concurrent verifications on a cold cache share one fetch', async () => {
    server.setMode({ slow: 50 });
    const verifier = remoteVerifier();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => token(k1)));
    const results = await Promise.all(tokens.map((jwt) => verifier.verify(jwt)));
    expect(results).toHaveLength(20);
    expect(server.requests()).toBe(1);
    expect(eventsOf('keys_refreshed')).toHaveLength(1);
  });

  it('concurrent requests with an unknown kid share one refetch', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setKeys([k1.publicJwk, k2.publicJwk]);
    server.setMode({ slow: 50 });

    t = T0 + COOLDOWN;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => token(k2)));
    await Promise.all(tokens.map((jwt) => verifier.verify(jwt)));
    expect(server.requests()).toBe(2);
  });

  it('concurrent requests on a cold cache share one failed fetch, and all get 503', async () => {
    server.setMode({ status: 500 });
    const verifier = remoteVerifier();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => token(k1)));
    const outcomes = await Promise.allSettled(tokens.map((jwt) => verifier.verify(jwt)));
    const codes = outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason.code);
    expect(codes).toEqual(Array.from({ length: 10 }, () => 'keys_unavailable'));
    expect(server.requests()).toBe(1);
  });
});

describe('the endpoint fails before any key was fetched', () => {
  it('connection refused answers 503 keys_unavailable with Retry-After, never 401', async () => {
    await server.stop();
    const verifier = remoteVerifier();
    const error = await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    expect(error.status).toBe(503);
    expect(error.statusCode).toBe(503);
    // The first retry comes after about a second (750 to 1000 ms with jitter), not a cooldown.
    expect(error.headers).toEqual({ 'Retry-After': '1' });
    expect(error.toJSON()).toMatchObject({ error: 'temporarily_unavailable', code: 'keys_unavailable' });
    expect(lastFailure()).toEqual({
      type: 'keys_fetch_failed',
      issuer: ISSUER,
      reason: 'request failed',
      servingStaleKeys: false,
      retryInMs: expect.any(Number),
    });
    expect(lastFailure()?.retryInMs).toBeGreaterThanOrEqual(750);
    expect(lastFailure()?.retryInMs).toBeLessThanOrEqual(1000);
  });

  it.each<[string, JwksServerMode, string]>([
    ['HTTP 500', { status: 500 }, 'answered HTTP 500'],
    ['HTTP 404', { status: 404 }, 'answered HTTP 404'],
    ['an HTML page', 'html', 'answered invalid JSON'],
    ['invalid JSON', 'invalid-json', 'answered invalid JSON'],
    ['{} without keys', 'no-keys', 'answered a document without keys'],
    ['a body over maxResponseBytes (Content-Length)', 'huge', 'body larger than 4096 bytes'],
    ['a chunked body over maxResponseBytes', 'huge-chunked', 'body larger than 4096 bytes'],
    ['a dropped connection', 'down', 'request failed'],
  ])('a server answering %s gives 503 keys_unavailable', async (_name, mode, reason) => {
    server.setMode(mode);
    const verifier = remoteVerifier({ maxResponseBytes: 4096 });
    const error = await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    expect(error.status).toBe(503);
    expect(error.headers['Retry-After']).toBe('1');
    expect(lastFailure()).toMatchObject({ reason, servingStaleKeys: false });
    expect(verifier.health().issuers[0]).toMatchObject({ ready: false, keys: 0, lastError: reason });
    expect(server.requests()).toBe(1);
  });

  it.each<[string, JwksServerMode]>([
    ['headers', { slow: 10_000 }],
    ['body', { slowBody: 10_000 }],
  ])('a response whose %s come later than timeout gives 503 after the timeout', async (_part, mode) => {
    server.setMode(mode);
    const verifier = remoteVerifier({ timeout: 0.2 });
    const started = performance.now();
    await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3000);
    expect(lastFailure()).toMatchObject({ reason: 'timed out' });
  });

  it('a failure is never cached, and failed fetches are retried on a short back-off', async () => {
    server.setMode({ status: 500 });
    const verifier = remoteVerifier();
    await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    expect(server.requests()).toBe(1);

    // Within the back-off (at least 750 ms after one failure): 503 at once, no fetch, and
    // ready() (a readiness probe) keeps to the back-off too.
    t = T0 + 749;
    const waiting = await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    expect(waiting.headers['Retry-After']).toBe('1');
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(server.requests()).toBe(1);

    // Past it, ready() fetches (and fails again).
    t = T0 + 1000;
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(server.requests()).toBe(2);

    // Two failures: the next attempt 1.5 to 2 s after the last one (capped at 2 s: no key to serve).
    t += 1499;
    const second = await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    expect(second.headers['Retry-After']).toBe('1');
    expect(server.requests()).toBe(2);

    // The fault clears; once the back-off has passed the next request fetches and succeeds.
    server.setMode('ok');
    t += 501;
    await verifier.verify(await token(k1));
    expect(server.requests()).toBe(3);
    expect(verifier.health().issuers[0]).toEqual({
      issuer: ISSUER,
      source: 'remote',
      ready: true,
      keys: 1,
      fetchedAt: t,
      stale: false,
    });
  });

  it('cooldown 0 retries at every request, and Retry-After is still at least one second', async () => {
    await server.stop();
    const counted = countingFetch();
    const verifier = remoteVerifier({ cooldown: 0, fetch: counted.fetch });
    for (let i = 0; i < 3; i++) {
      const error = await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
      expect(error.headers).toEqual({ 'Retry-After': '1' });
    }
    expect(counted.count()).toBe(3);
  });

  it('while no key can be served the back-off stays at most 2 s, however long the outage', async () => {
    await server.stop();
    const verifier = remoteVerifier();
    for (let failure = 1; failure <= 8; failure++) {
      const error = await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
      const failed = lastFailure() as KeysFetchFailedEvent;
      expect(eventsOf('keys_fetch_failed')).toHaveLength(failure);
      expect(failed.retryInMs).toBeLessThanOrEqual(failure === 1 ? 1000 : 2000);
      expect(failed.retryInMs).toBeGreaterThanOrEqual(failure === 1 ? 750 : 1500);
      expect(error.headers['Retry-After']).toBe(String(Math.ceil(failed.retryInMs / 1000)));
      t += failed.retryInMs;
    }
    // Each request after the back-off made exactly one attempt: 8 in about 14 s of test clock.
    expect(t - T0).toBeLessThanOrEqual(1000 + 7 * 2000);
  });

  it('Retry-After is the wait until the next allowed fetch: it grows with the back-off while stale keys serve', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    await server.stop();
    const retryAfters: string[] = [];
    const delays: number[] = [];
    t = T0 + MAX_AGE + 1;
    for (let failure = 1; failure <= 7; failure++) {
      // Stale keys serve; the refresh they start fails in the background.
      await verifier.verify(await token(k1));
      await vi.waitFor(() => expect(eventsOf('keys_fetch_failed')).toHaveLength(failure));
      const failed = lastFailure() as KeysFetchFailedEvent;
      expect(failed.servingStaleKeys).toBe(true);
      delays.push(failed.retryInMs);
      // An unknown kid meanwhile: the key server cannot be asked, so 503 and when to come back.
      const error = await expectAuthError(verifier.verify(await token(k2)), 'keys_unavailable');
      retryAfters.push(error.headers['Retry-After'] as string);
      t += failed.retryInMs;
    }
    // About 1, 2, 4, 8, 16 s, then the cooldown (30 s); each cut by up to 25% of jitter.
    const nominal = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
    delays.forEach((delay, index) => {
      expect(delay).toBeLessThanOrEqual(nominal[index] as number);
      expect(delay).toBeGreaterThanOrEqual((nominal[index] as number) * 0.75);
    });
    expect(retryAfters.map(Number)).toEqual(delays.map((delay) => Math.max(1, Math.ceil(delay / 1000))));
  });
});

describe('the endpoint fails after keys were fetched', () => {
  it('stale keys serve for maxStale past the max age, then 503, and recovery needs no restart', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    await server.stop();

    t = T0 + MAX_AGE + 1;
    await verifier.verify(await token(k1));
    await vi.waitFor(() =>
      expect(lastFailure()).toMatchObject({ reason: 'request failed', servingStaleKeys: true }),
    );
    expect(verifier.health().issuers[0]).toMatchObject({
      ready: true,
      stale: true,
      lastError: 'request failed',
    });

    t = T0 + MAX_AGE + MAX_STALE;
    await verifier.verify(await token(k1));

    t = T0 + MAX_AGE + MAX_STALE + 1;
    const error = await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    expect(error.status).toBe(503);
    expect(verifier.health().ready).toBe(false);

    await server.start();
    t += COOLDOWN;
    await verifier.verify(await token(k1));
    expect(server.requests()).toBe(2); // refused connections never reached the counter
    expect(verifier.health().issuers[0]).toEqual({
      issuer: ISSUER,
      source: 'remote',
      ready: true,
      keys: 1,
      fetchedAt: t,
      stale: false,
    });
  });

  it('an unknown kid while the endpoint fails is 503 keys_unavailable (the key may be new), and accepted once it answers', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setMode({ status: 503 });
    server.setKeys([k1.publicJwk, k2.publicJwk]);
    t = T0 + 10_000;
    const error = await expectAuthError(verifier.verify(await token(k2)), 'keys_unavailable');
    expect(error.status).toBe(503);
    expect(error.headers['Retry-After']).toBe('1');
    expect(server.requests()).toBe(2);
    expect(lastFailure()).toMatchObject({ reason: 'answered HTTP 503', servingStaleKeys: true });

    // In the back-off: 503 again without a fetch; known kids keep verifying.
    await expectAuthError(verifier.verify(await token(k2)), 'keys_unavailable');
    await verifier.verify(await token(k1));
    expect(server.requests()).toBe(2);

    server.setMode('ok');
    t += 1000;
    await verifier.verify(await token(k2));
    expect(server.requests()).toBe(3);
  });

  it('an unknown kid is 503 while no key server answer is at hand (past maxStale), never 401', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    await server.stop();
    t = T0 + MAX_AGE + MAX_STALE + 1;
    await expectAuthError(verifier.verify(await token(k2)), 'keys_unavailable');
    await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
  });

  it('a bad answer never replaces the good keys', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setMode('no-keys');
    t = T0 + MAX_AGE + 1;
    await verifier.verify(await token(k1));
    expect(verifier.health().issuers[0]).toMatchObject({ keys: 1, fetchedAt: T0 });
  });
});

describe('keys leaving the key set', () => {
  it('a removed key stops verifying after a refresh, and its cached tokens are dropped', async () => {
    const verifier = remoteVerifier({ cache: true });
    const old = await token(k1, { claims: { exp: Math.floor(T0 / 1000) + 3600 } });
    await verifier.verify(old);
    await verifier.verify(old);
    expect(eventsOf('accepted').map((event) => event.cached)).toEqual([false, true]);

    // Rotation without overlap; a token with the new kid makes the verifier refresh.
    server.setKeys([k2.publicJwk]);
    t = T0 + COOLDOWN;
    await verifier.verify(await token(k2));
    expect(server.requests()).toBe(2);

    const error = await expectAuthError(verifier.verify(old), 'unknown_key');
    expect(error.status).toBe(401);
    await expectAuthError(verifier.verify(await token(k1)), 'unknown_key');
  });

  it('a key still in the set keeps its cached tokens across refreshes', async () => {
    const verifier = remoteVerifier({ cache: true });
    const jwt = await token(k1, { claims: { exp: Math.floor(T0 / 1000) + 3600 } });
    await verifier.verify(jwt);

    // Same key, new metadata that does not define the key: still the same key.
    server.setKeys([{ ...k1.publicJwk, x5t: 'ignored' }, k2.publicJwk]);
    t = T0 + COOLDOWN;
    await verifier.verify(await token(k2));
    expect(server.requests()).toBe(2);

    await verifier.verify(jwt);
    expect(eventsOf('accepted').at(-1)).toMatchObject({ cached: true });
  });

  it('a cached token is checked against the key set once the keys pass their max age', async () => {
    // Service clients reuse one token for its whole lifetime: if cache hits never let the key
    // source refresh, a key withdrawn from the JWKS (e.g. after a compromise) keeps
    // authenticating its cached tokens until they expire.
    const verifier = remoteVerifier({ cache: true });
    const jwt = await token(k1, { claims: { exp: Math.floor(T0 / 1000) + 3 * 3600 } });
    await verifier.verify(jwt);

    server.setKeys([k2.publicJwk]);
    t = T0 + MAX_AGE + 1;
    // The hit that finds the keys past their max age starts the refresh and does not wait for it;
    // once it lands, the withdrawn key's cached tokens are refused.
    await verifier.verify(jwt);
    await vi.waitFor(() => expect(eventsOf('keys_refreshed')).toHaveLength(2));
    await expectAuthError(verifier.verify(jwt), 'unknown_key');
    expect(server.requests()).toBe(2);
  });
});

describe('what a JWKS may contain', () => {
  it('skips weak keys and reports them in keys_refreshed', async () => {
    server.setKeys([weak.publicJwk, k1.publicJwk]);
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    expect(lastRefresh()).toEqual({
      type: 'keys_refreshed',
      issuer: ISSUER,
      keys: 1,
      skipped: ['key 0: RSA keys must have at least 2048 bits, got 1024'],
    });
    const signedByWeak = rsaSignedToken({ privateKey: weak.privateKey, kid: 'weak', now: t });
    await expectAuthError(verifier.verify(signedByWeak), 'unknown_key');
  });

  it('a JWKS of weak keys only counts as a failed fetch', async () => {
    server.setKeys([weak.publicJwk]);
    const verifier = remoteVerifier();
    await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    expect(lastFailure()).toMatchObject({ reason: 'answered no usable keys', servingStaleKeys: false });
    expect(eventsOf('keys_refreshed')).toHaveLength(0);
  });

  it('skips encryption keys (use: enc)', async () => {
    server.setKeys([{ ...k1.publicJwk, use: 'enc' }, k2.publicJwk]);
    const verifier = remoteVerifier();
    await expectAuthError(verifier.verify(await token(k1)), 'unknown_key');
    await verifier.verify(await token(k2));
    expect(lastRefresh()?.skipped).toEqual(['key 0: the key is not a signing key (use)']);
  });

  it('keys without kid verify tokens without kid, but not tokens that name a kid', async () => {
    const { kid: _kid, ...anonymous } = k1.publicJwk;
    server.setKeys([anonymous]);
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1, { kid: false }));
    await expectAuthError(verifier.verify(await token(k1)), 'unknown_key');
  });

  it('reads at most maxKeys keys', async () => {
    server.setKeys([k1.publicJwk, k2.publicJwk, k3.publicJwk]);
    const verifier = remoteVerifier({ maxKeys: 2 });
    await verifier.verify(await token(k2));
    await expectAuthError(verifier.verify(await token(k3)), 'unknown_key');
    expect(lastRefresh()).toMatchObject({ keys: 2, skipped: ['keys past the first 2 were ignored'] });
    expect(verifier.health().issuers[0]?.keys).toBe(2);
  });

  it('skips entries that are not usable public keys, saying why', async () => {
    server.setKeys([
      'not an object' as unknown as Record<string, unknown>,
      { ...k1.publicJwk, kid: 42 },
      { ...k1.publicJwk, kid: 'x', alg: 'none' },
      { kty: 'RSA', kid: 'broken', n: 'AQAB' },
      { ...k2.privateKey.export({ format: 'jwk' }), kid: 'private' },
      { ...k1.publicJwk, kid: 'rsa-only', alg: 'RS256' },
      k1.publicJwk,
    ]);
    const verifier = remoteVerifier({ algorithms: ['ES256', 'RS256'] });
    await verifier.verify(await token(k1));
    expect(lastRefresh()?.skipped).toEqual([
      'key 0: not a JWK object',
      'key 1: kid is not a string',
      'key 2: the key has an unsupported alg',
      'key 3: not a valid public key',
      'key 4: not a valid public key',
      'key 5: the key fits none of the allowed algorithms',
    ]);
  });

  it('keeps keys outside the issuer allow-list out', async () => {
    server.setKeys([k1.publicJwk]);
    const verifier = remoteVerifier({ algorithms: ['RS256'] });
    await expectAuthError(verifier.verify(await token(k1)), 'unsupported_algorithm');
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(lastFailure()).toMatchObject({ reason: 'answered no usable keys' });
  });
});

describe('a kid naming two different keys (Wycheproof DuplicateKid)', () => {
  const REASON = 'duplicate kid "k1" names two different keys';
  let intruder: IssuerKeys;
  let rsa: IssuerKeys;
  beforeAll(() => {
    intruder = createIssuerKeys('ES256', { kid: 'k1' });
    rsa = createIssuerKeys('RS256', { kid: 'r1' });
  });

  it('is refused as a whole before any key was fetched: 503 keys_unavailable for a token of either key', async () => {
    server.setKeys([k1.publicJwk, k2.publicJwk, intruder.publicJwk]);
    const verifier = remoteVerifier();
    for (const key of [k1, intruder]) {
      const error = await expectAuthError(verifier.verify(await token(key)), 'keys_unavailable');
      expect(error.status).toBe(503);
      expect(error.headers['Retry-After']).toBe('1');
      expect((error.cause as Error).message).toBe(REASON);
    }
    // The rest of the set is refused with it: k2 is not ambiguous, but the document is.
    await expectAuthError(verifier.verify(await token(k2)), 'keys_unavailable');
    expect(lastFailure()).toEqual({
      type: 'keys_fetch_failed',
      issuer: ISSUER,
      reason: REASON,
      servingStaleKeys: false,
      retryInMs: expect.any(Number),
    });
    expect(eventsOf('keys_refreshed')).toHaveLength(0);
    expect(verifier.health().issuers[0]).toMatchObject({ ready: false, keys: 0, lastError: REASON });
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    // One fetch per back-off, as for any failed fetch, ready() included.
    expect(server.requests()).toBe(1);
  });

  it('never replaces the good keys: they keep serving while stale, and the second key never verifies', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setKeys([k1.publicJwk, intruder.publicJwk]);

    t = T0 + MAX_AGE + 1;
    await verifier.verify(await token(k1));
    await vi.waitFor(() => expect(lastFailure()).toMatchObject({ reason: REASON, servingStaleKeys: true }));
    expect(verifier.health().issuers[0]).toMatchObject({
      ready: true,
      keys: 1,
      fetchedAt: T0,
      stale: true,
      lastError: REASON,
    });
    // The kid selects the one good key, which the intruder's signature does not match.
    await expectAuthError(verifier.verify(await token(intruder)), 'invalid_signature');

    // Past maxStale, the same 503 as for any endpoint that keeps failing.
    t = T0 + MAX_AGE + MAX_STALE + 1;
    await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    await expectAuthError(verifier.verify(await token(intruder)), 'keys_unavailable');
  });

  it('a new kid arriving in an ambiguous set is not installed: 503 keys_unavailable, as with any bad answer', async () => {
    const twin = createIssuerKeys('ES256', { kid: 'k2' });
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setKeys([k1.publicJwk, k2.publicJwk, twin.publicJwk]);
    t = T0 + COOLDOWN;
    await expectAuthError(verifier.verify(await token(k2)), 'keys_unavailable');
    expect(server.requests()).toBe(2);
    expect(lastFailure()).toMatchObject({
      reason: 'duplicate kid "k2" names two different keys',
      servingStaleKeys: true,
    });
    await verifier.verify(await token(k1));
  });

  it('once the publisher fixes the set, the next fetch after the back-off installs it', async () => {
    server.setKeys([k1.publicJwk, intruder.publicJwk]);
    const verifier = remoteVerifier();
    await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    server.setKeys([k1.publicJwk, k2.publicJwk]);
    t = T0 + COOLDOWN;
    await verifier.verify(await token(k1));
    await verifier.verify(await token(k2));
    expect(lastRefresh()).toMatchObject({ keys: 2, skipped: [] });
    expect(verifier.health().issuers[0]).not.toHaveProperty('lastError');
  });

  it('the same key listed twice under one kid is accepted', async () => {
    server.setKeys([k1.publicJwk, { ...k1.publicJwk }, k2.publicJwk]);
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    await verifier.verify(await token(k2));
    await expectAuthError(verifier.verify(await token(intruder)), 'invalid_signature');
    expect(eventsOf('keys_fetch_failed')).toHaveLength(0);
  });

  it('one RSA key under one kid with alg RS256 and with alg PS256 is one key: both algorithms verify', async () => {
    server.setKeys([rsa.publicJwk, { ...rsa.publicJwk, alg: 'PS256' }]);
    const verifier = remoteVerifier({ algorithms: ['RS256', 'PS256', 'RS384'] });
    await verifier.verify(await token(rsa));
    await verifier.verify(await token(rsa, { alg: 'PS256' }));
    expect(lastRefresh()).toMatchObject({ keys: 2, skipped: [] });
    // Each entry is still bound to its own alg: RS384, allowed by the issuer but not published, is not.
    await expectAuthError(verifier.verify(await token(rsa, { alg: 'RS384' })), 'unknown_key');
  });

  it('two RSA keys under one kid are ambiguous even when their algorithms do not overlap', async () => {
    const other = createIssuerKeys('PS256', { kid: 'r1' });
    server.setKeys([rsa.publicJwk, other.publicJwk]);
    const verifier = remoteVerifier({ algorithms: ['RS256', 'PS256'] });
    await expectAuthError(verifier.verify(await token(rsa)), 'keys_unavailable');
    expect(lastFailure()).toMatchObject({ reason: 'duplicate kid "r1" names two different keys' });
  });

  it('different kids are fine', async () => {
    server.setKeys([k1.publicJwk, k2.publicJwk, k3.publicJwk]);
    const verifier = remoteVerifier();
    for (const key of [k1, k2, k3]) await verifier.verify(await token(key));
    expect(lastRefresh()).toMatchObject({ keys: 3, skipped: [] });
  });

  it('a kid shared with a key that is set aside (use: enc) does not make the set ambiguous', async () => {
    server.setKeys([k1.publicJwk, { ...intruder.publicJwk, use: 'enc' }]);
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    await expectAuthError(verifier.verify(await token(intruder)), 'invalid_signature');
    expect(lastRefresh()?.skipped).toEqual(['key 1: the key is not a signing key (use)']);
  });

  it('the refusal reason carries the kid, never key material', async () => {
    server.setKeys([k1.publicJwk, intruder.publicJwk]);
    const verifier = remoteVerifier();
    await expectAuthError(verifier.verify(await token(k1)), 'keys_unavailable');
    const logged = JSON.stringify([events, verifier.health()]);
    expect(logged).toContain('duplicate kid \\"k1\\" names two different keys');
    for (const jwk of [k1.publicJwk, intruder.publicJwk]) {
      for (const member of ['x', 'y'] as const)
        expect(logged).not.toContain(String(jwk[member]).slice(0, 16));
    }
  });
});

describe('key events', () => {
  it('keys_refreshed and keys_fetch_failed never carry key material', async () => {
    server.setKeys([weak.publicJwk, k1.publicJwk, k2.publicJwk]);
    const verifier = remoteVerifier();
    await verifier.verify(await token(k1));
    server.setMode({ status: 500 });
    t = T0 + MAX_AGE + 1;
    await verifier.verify(await token(k2));
    await vi.waitFor(() => expect(lastFailure()).toBeDefined());

    // The second request is served from the stale keys before its background refresh fails.
    expect(events.map((event) => event.type)).toEqual([
      'keys_refreshed',
      'accepted',
      'accepted',
      'keys_fetch_failed',
    ]);
    const logged = JSON.stringify(events.filter((event) => event.type.startsWith('keys_')));
    for (const jwk of [weak.publicJwk, k1.publicJwk, k2.publicJwk]) {
      for (const member of ['n', 'x', 'y'] as const) {
        const value = jwk[member];
        if (typeof value === 'string') expect(logged).not.toContain(value.slice(0, 16));
      }
    }
  });

  it('a throwing onEvent listener never changes a decision', async () => {
    const verifier = createVerifier({
      issuers: { issuer: ISSUER, jwksUri: server.jwksUri },
      audience: AUDIENCE,
      now: () => t,
      onEvent: () => {
        throw new Error('logger down');
      },
    });
    await verifier.verify(await token(k1));
  });
});
