import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createClientCredentialsSource,
  createTokenClient,
  type IssuedToken,
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
