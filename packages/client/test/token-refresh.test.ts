import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createClientCredentialsSource,
  createTokenClient,
  type IssuedToken,
  type RefreshErrorInfo,
  type TokenClient,
  type TokenRequest,
  type TokenSource,
} from '../src/index.js';
import {
  deferred,
  manualClock,
  nextTurn,
  readBody,
  settlement,
  startServer,
  type TestServer,
} from './helpers.js';

const ORDERS = 'https://orders.internal';
const LIFETIME_S = 300;

/**
 * A token endpoint on loopback whose answers the test decides: it answers at once, holds every
 * request until the test releases it (a slow endpoint), or holds it for good (a hanging one, until
 * the test drops the connection as a client timeout would).
 */
async function startTokenEndpoint() {
  let mode: 'answer' | 'hold' | 'unavailable' = 'answer';
  let hits = 0;
  let arrived = deferred<void>();
  const held: Array<{ res: ServerResponse; n: number }> = [];
  const answer = (res: ServerResponse, n: number) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: `t${n}`, token_type: 'Bearer', expires_in: LIFETIME_S }));
  const server: TestServer = await startServer(async (req, res) => {
    await readBody(req);
    hits += 1;
    if (mode === 'answer') return answer(res, hits);
    if (mode === 'unavailable') return void res.writeHead(503).end();
    held.push({ res, n: hits });
    arrived.resolve();
  });
  return {
    url: server.url,
    hits: () => hits,
    answerAtOnce() {
      mode = 'answer';
    },
    answerUnavailable() {
      mode = 'unavailable';
    },
    hold() {
      mode = 'hold';
      arrived = deferred<void>();
    },
    /** Resolves once a request is being held, unanswered. */
    requestHeld: () => arrived.promise,
    /** Answers the held requests. */
    release() {
      for (const { res, n } of held.splice(0)) answer(res, n);
    },
    /** Cuts the held requests' connections, as the client's timeout would. */
    drop() {
      for (const { res } of held.splice(0)) res.socket?.destroy();
    },
    close: () => server.close(),
  };
}

/** A source that lets the test await every token request it started. */
function observed(source: TokenSource) {
  const calls: Promise<IssuedToken>[] = [];
  return {
    getToken(request: TokenRequest): Promise<IssuedToken> {
      const call = source.getToken(request);
      calls.push(call);
      return call;
    },
    /** Token requests started so far. */
    started: () => calls.length,
    /** Resolves when every request so far has settled and the cache has recorded the outcome. */
    async settled(): Promise<void> {
      await Promise.allSettled(calls);
      await nextTurn();
    },
  };
}

describe('TokenClient against a slow or hanging token endpoint (loopback HTTP)', () => {
  let endpoint: Awaited<ReturnType<typeof startTokenEndpoint>>;
  let clock: ReturnType<typeof manualClock>;
  let source: ReturnType<typeof observed>;
  let tokens: TokenClient;

  beforeEach(async () => {
    endpoint = await startTokenEndpoint();
    clock = manualClock();
    source = observed(
      createClientCredentialsSource({
        tokenEndpoint: `${endpoint.url}/token`,
        clientId: 'billing',
        clientSecret: 's3cret',
        retry: { attempts: 1 },
        timeout: '60s', // longer than any test: the test decides when a held request ends
        now: clock.now,
      }),
    );
    tokens = createTokenClient({ source, now: clock.now, refreshMargin: '60s' });
  });

  afterEach(async () => {
    endpoint.drop();
    await endpoint.close();
    await source.settled();
  });

  it('answers callers inside the refresh margin from the cache while a slow refresh runs', async () => {
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    endpoint.hold();
    clock.advance(250_000); // inside the margin

    const callers = Array.from({ length: 100 }, () => settlement(tokens.getToken(ORDERS)));
    await endpoint.requestHeld();
    // The refresh has reached the endpoint, which has not answered: every caller already has its token.
    expect(callers.map((caller) => caller.value)).toEqual(Array(100).fill('t1'));
    expect(endpoint.hits()).toBe(2);

    const more = Array.from({ length: 100 }, () => settlement(tokens.getToken(ORDERS)));
    await nextTurn();
    expect(more.map((caller) => caller.value)).toEqual(Array(100).fill('t1'));
    expect(endpoint.hits()).toBe(2); // still the one refresh

    endpoint.release();
    await source.settled();
    expect(await tokens.getToken(ORDERS)).toBe('t2');
    expect(endpoint.hits()).toBe(2);
  });

  it('adds no wait for callers holding a valid token while the endpoint hangs, until the token expires', async () => {
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    endpoint.hold(); // and never release
    clock.advance(250_000);

    const callers = Array.from({ length: 100 }, () => settlement(tokens.getToken(ORDERS)));
    await endpoint.requestHeld();
    expect(callers.map((caller) => caller.value)).toEqual(Array(100).fill('t1'));

    clock.advance(49_999); // one millisecond before expiry
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    expect(endpoint.hits()).toBe(2);

    clock.advance(1); // expired: now callers wait for the refresh under way
    const late = settlement(tokens.getToken(ORDERS));
    await nextTurn();
    expect(late.status).toBe('pending');

    endpoint.drop();
    await source.settled();
    expect(late.status).toBe('rejected');
    expect(late.reason).toMatchObject({ code: 'token_endpoint_unavailable' });
    // Inside the back-off: the failure at once, no request.
    await expect(tokens.getToken(ORDERS)).rejects.toBe(late.reason);
    expect(endpoint.hits()).toBe(2);
  });

  it('backs off a failing endpoint once no valid token is left, instead of hammering it', async () => {
    endpoint.answerUnavailable();
    const first = await Promise.allSettled(Array.from({ length: 100 }, () => tokens.getToken(ORDERS)));
    expect(first.every((result) => result.status === 'rejected')).toBe(true);
    expect(endpoint.hits()).toBe(1);

    const during = await Promise.allSettled(Array.from({ length: 100 }, () => tokens.getToken(ORDERS)));
    expect(during.every((result) => result.status === 'rejected')).toBe(true);
    expect(endpoint.hits()).toBe(1);

    clock.advance(1_000); // after the first wait
    await expect(tokens.getToken(ORDERS)).rejects.toMatchObject({ code: 'token_endpoint_unavailable' });
    expect(endpoint.hits()).toBe(2);
    clock.advance(999); // inside the second wait (1 to 2 s)
    await expect(tokens.getToken(ORDERS)).rejects.toMatchObject({ code: 'token_endpoint_unavailable' });
    expect(endpoint.hits()).toBe(2);

    endpoint.answerAtOnce();
    clock.advance(1_001);
    expect(await tokens.getToken(ORDERS)).toBe('t3');
  });
});

describe('onRefreshError against a slow or hanging token endpoint (loopback HTTP)', () => {
  let endpoint: Awaited<ReturnType<typeof startTokenEndpoint>>;
  let clock: ReturnType<typeof manualClock>;
  let source: ReturnType<typeof observed>;
  let reports: Array<{ error: unknown; info: RefreshErrorInfo }>;
  let hook: (error: unknown, info: RefreshErrorInfo) => void;
  let tokens: TokenClient;

  beforeEach(async () => {
    endpoint = await startTokenEndpoint();
    clock = manualClock();
    source = observed(
      createClientCredentialsSource({
        tokenEndpoint: `${endpoint.url}/token`,
        clientId: 'billing',
        clientSecret: CLIENT_SECRET,
        retry: { attempts: 1 },
        timeout: '60s', // longer than any test: the test decides when a held request ends
        now: clock.now,
      }),
    );
    reports = [];
    hook = (error, info) => {
      reports.push({ error, info });
    };
    tokens = createTokenClient({
      source,
      now: clock.now,
      refreshMargin: '60s',
      onRefreshError: (error, info) => hook(error, info),
    });
  });

  afterEach(async () => {
    endpoint.drop();
    await endpoint.close();
    await source.settled();
  });

  it('is told of a failed background refresh with its back-off, while callers keep the cached token at once', async () => {
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    endpoint.hold(); // hangs
    clock.advance(250_000); // inside the margin

    const callers = Array.from({ length: 100 }, () => settlement(tokens.getToken(ORDERS)));
    await endpoint.requestHeld();
    // The refresh hangs at the endpoint: every caller already has its token, nobody was told yet.
    expect(callers.map((caller) => caller.value)).toEqual(Array(100).fill('t1'));
    expect(reports).toEqual([]);

    endpoint.drop(); // the request fails, as at the client's timeout
    await source.settled();
    expect(reports).toHaveLength(1);
    const [first] = reports;
    expect(first?.error).toMatchObject({ code: 'token_endpoint_unavailable' });
    expect(first?.info).toMatchObject({ audience: ORDERS, attempt: 1, servingCachedToken: true });
    expect(first?.info.nextAttemptInMs).toBeGreaterThanOrEqual(500); // failureCooldown 1 s, jittered
    expect(first?.info.nextAttemptInMs).toBeLessThanOrEqual(1_000);
    expect(first?.info).not.toHaveProperty('scope');

    // During the back-off: the cached token at once, no request, no report.
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    expect(endpoint.hits()).toBe(2);

    // The next refresh starts exactly when the hook was told it would.
    const wait = first?.info.nextAttemptInMs ?? Number.NaN;
    endpoint.answerUnavailable(); // and fails again
    clock.advance(Math.floor(wait) - 1);
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    expect(source.started()).toBe(2);
    clock.advance(2);
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    expect(source.started()).toBe(3);
    await source.settled();
    expect(endpoint.hits()).toBe(3);
    expect(reports).toHaveLength(2);
    const second = reports[1]?.info;
    expect(second).toMatchObject({ audience: ORDERS, attempt: 2, servingCachedToken: true });
    expect(second?.nextAttemptInMs).toBeGreaterThanOrEqual(1_000); // doubled
    expect(second?.nextAttemptInMs).toBeLessThanOrEqual(2_000);
  });

  it('is not called for a slow refresh that succeeds, and callers never wait for it', async () => {
    expect(await tokens.getToken(ORDERS, { scope: 'orders:read' })).toBe('t1');
    endpoint.hold(); // slow: answered only when the test releases it
    clock.advance(250_000);
    const during = settlement(tokens.getToken(ORDERS, { scope: 'orders:read' }));
    await endpoint.requestHeld();
    expect(during.value).toBe('t1');
    endpoint.release();
    await source.settled();
    expect(await tokens.getToken(ORDERS, { scope: 'orders:read' })).toBe('t2');
    expect(reports).toEqual([]);
  });

  it('counts failures in a row, says when no valid token is served, and starts afresh after a success', async () => {
    endpoint.answerUnavailable();
    await expect(tokens.getToken(ORDERS, { scope: 'orders:read' })).rejects.toMatchObject({
      code: 'token_endpoint_unavailable',
    });
    expect(reports.map(({ info }) => info)).toEqual([
      {
        audience: ORDERS,
        scope: 'orders:read',
        attempt: 1,
        nextAttemptInMs: expect.any(Number),
        servingCachedToken: false,
      },
    ]);
    // Callers during the back-off get the failure at once: no refresh, so no report.
    await expect(tokens.getToken(ORDERS, { scope: 'orders:read' })).rejects.toBe(reports[0]?.error);
    expect(reports).toHaveLength(1);

    clock.advance(1_000);
    await expect(tokens.getToken(ORDERS, { scope: 'orders:read' })).rejects.toBeDefined();
    expect(reports[1]?.info).toMatchObject({ attempt: 2, servingCachedToken: false });

    endpoint.answerAtOnce();
    clock.advance(2_000);
    expect(await tokens.getToken(ORDERS, { scope: 'orders:read' })).toBe('t3');
    endpoint.answerUnavailable();
    clock.advance(250_000); // inside the margin: a background refresh, which fails
    expect(await tokens.getToken(ORDERS, { scope: 'orders:read' })).toBe('t3');
    await source.settled();
    expect(reports[2]?.info).toMatchObject({ attempt: 1, servingCachedToken: true });
  });

  it('never lets a hook that throws or rejects reach a caller, nor become an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      let calls = 0;
      hook = (_error, info) => {
        calls += 1;
        if (info.attempt < 3) throw new Error('the logger is broken');
        return Promise.reject(new Error('the async logger is broken')) as never;
      };
      expect(await tokens.getToken(ORDERS)).toBe('t1');
      endpoint.answerUnavailable();
      clock.advance(250_000);
      expect(await tokens.getToken(ORDERS)).toBe('t1'); // the background refresh fails, the hook throws
      await source.settled();
      expect(await tokens.getToken(ORDERS)).toBe('t1');

      // Expired, back-off over: callers wait for a refresh that fails; they get the source's error.
      clock.advance(50_000);
      const thrown = await tokens.getToken(ORDERS).catch((error: unknown) => error);
      expect(thrown).toMatchObject({ code: 'token_endpoint_unavailable' }); // the hook threw
      clock.advance(2_000);
      const rejected = await tokens.getToken(ORDERS).catch((error: unknown) => error);
      expect(rejected).toMatchObject({ code: 'token_endpoint_unavailable' }); // the hook's promise rejected
      await nextTurn();
      await nextTurn();
      expect(calls).toBe(3);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('never gives the hook a token or a secret', async () => {
    expect(await tokens.getToken(ORDERS)).toBe('t1');
    endpoint.hold();
    clock.advance(250_000);
    await tokens.getToken(ORDERS);
    await endpoint.requestHeld();
    endpoint.drop();
    await source.settled();
    endpoint.answerUnavailable();
    clock.advance(1_000);
    await tokens.getToken(ORDERS);
    await source.settled();
    expect(reports).toHaveLength(2);
    for (const { error, info } of reports) {
      const seen = [...strings(error), ...strings(info)].join('\n');
      expect(seen).not.toContain(CLIENT_SECRET);
      expect(seen).not.toMatch(/\bt1\b/); // the cached token
      expect(seen).not.toContain('Basic '); // the client's credentials header
    }
  });
});

const CLIENT_SECRET = 'client-secret-of-billing-7f3a9c';

/** Every string reachable from `value`: own properties (hidden ones too, such as `cause` and `stack`). */
function strings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  return Reflect.ownKeys(value).flatMap((key) => strings((value as Record<PropertyKey, unknown>)[key], seen));
}
