import { describe, expect, it, vi } from 'vitest';
import {
  AuthClientError,
  createSelfSignedSource,
  createTokenClient,
  generateSigningKey,
  type IssuedToken,
  type TokenRequest,
  type TokenSource,
} from '../src/index.js';
import { deferred, manualClock, nextTurn, settlement } from './helpers.js';

/** A source that counts calls and mints `aud#n` tokens living `lifetimeMs`. */
function countingSource(clock: { now: () => number }, lifetimeMs = 300_000) {
  let calls = 0;
  const source: TokenSource & { calls: () => number; fail: boolean } = {
    fail: false,
    calls: () => calls,
    async getToken(request: TokenRequest): Promise<IssuedToken> {
      calls += 1;
      if (source.fail) throw new AuthClientError('token_endpoint_unavailable', 'down');
      return { accessToken: `${request.audience}#${calls}`, expiresAt: clock.now() + lifetimeMs };
    },
  };
  return source;
}

describe('TokenClient', () => {
  it('reuses a token per audience and scope, and refreshes it in the background inside the margin', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    const tokens = createTokenClient({ source, now: clock.now, refreshMargin: '60s' });
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(await tokens.getToken('payments')).toBe('payments#2');
    expect(await tokens.getToken('orders', { scope: 'b a' })).toBe('orders#3');
    expect(await tokens.getToken('orders', { scope: 'a b' })).toBe('orders#3');
    clock.advance(239_000);
    expect(await tokens.getToken('orders')).toBe('orders#1');
    clock.advance(1_000); // 60 s before expiry: the cached token still, and a refresh starts
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(source.calls()).toBe(4);
    await nextTurn();
    expect(await tokens.getToken('orders')).toBe('orders#4');
    expect(source.calls()).toBe(4);
  });

  it('caps the margin at half the lifetime of short tokens', async () => {
    const clock = manualClock();
    const source = countingSource(clock, 20_000);
    const tokens = createTokenClient({ source, now: clock.now, refreshMargin: '60s' });
    await tokens.getToken('orders');
    clock.advance(9_000);
    expect(await tokens.getToken('orders')).toBe('orders#1');
    clock.advance(1_000);
    expect(await tokens.getToken('orders')).toBe('orders#1');
    await nextTurn();
    expect(await tokens.getToken('orders')).toBe('orders#2');
  });

  it('makes one request for concurrent callers (single flight)', async () => {
    const gate = deferred<void>();
    let calls = 0;
    const source: TokenSource = {
      async getToken() {
        calls += 1;
        await gate.promise;
        return { accessToken: `t${calls}`, expiresAt: Date.now() + 300_000 };
      },
    };
    const tokens = createTokenClient({ source });
    const all = Promise.all(Array.from({ length: 50 }, () => tokens.getToken('orders')));
    gate.resolve();
    expect(new Set(await all)).toEqual(new Set(['t1']));
    expect(calls).toBe(1);
  });

  it('shares one failure among concurrent callers and tries again after the back-off', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    source.fail = true;
    const tokens = createTokenClient({ source, now: clock.now });
    const results = await Promise.allSettled([tokens.getToken('orders'), tokens.getToken('orders')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(source.calls()).toBe(1);
    source.fail = false;
    clock.advance(1_000); // the first wait is at most failureCooldown (1 s)
    expect(await tokens.getToken('orders')).toBe('orders#2');
  });

  it('keeps a still-valid token when a refresh fails, and tries again in the background after the cool-down', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    const tokens = createTokenClient({ source, now: clock.now, failureCooldown: '5s' });
    await tokens.getToken('orders');
    clock.advance(250_000);
    source.fail = true;
    expect(await tokens.getToken('orders')).toBe('orders#1');
    await nextTurn();
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(source.calls()).toBe(2); // the second call was inside the cool-down
    clock.advance(5_000);
    source.fail = false;
    expect(await tokens.getToken('orders')).toBe('orders#1');
    await nextTurn();
    expect(await tokens.getToken('orders')).toBe('orders#3');
  });

  it('fails once the cached token has expired and the source still fails', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    const tokens = createTokenClient({ source, now: clock.now });
    await tokens.getToken('orders');
    source.fail = true;
    clock.advance(300_000);
    await expect(tokens.getToken('orders')).rejects.toMatchObject({ code: 'token_endpoint_unavailable' });
  });

  it('replaces a rejected token once, not on every report of it', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    const tokens = createTokenClient({ source, now: clock.now });
    const first = await tokens.getToken('orders');
    expect(await tokens.getToken('orders', { rejectedToken: first })).toBe('orders#2');
    expect(await tokens.getToken('orders', { rejectedToken: first })).toBe('orders#2');
    tokens.invalidate('orders');
    expect(await tokens.getToken('orders')).toBe('orders#3');
    tokens.clear();
    expect(await tokens.getToken('orders')).toBe('orders#4');
  });

  it('bounds the cache', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    const tokens = createTokenClient({ source, now: clock.now, maxEntries: 2 });
    await tokens.getToken('a');
    await tokens.getToken('b');
    await tokens.getToken('c');
    expect(await tokens.getToken('b')).toBe('b#2');
    expect(await tokens.getToken('a')).toBe('a#4');
  });

  it('validates options, naming the option', () => {
    const source = countingSource(manualClock());
    expect(() => createTokenClient({ source: {} as TokenSource })).toThrow(/^source:/);
    expect(() => createTokenClient({ source, refreshMargin: -1 })).toThrow(/^refreshMargin:/);
    expect(() => createTokenClient({ source, maxEntries: 0 })).toThrow(/^maxEntries:/);
    expect(() => createTokenClient({ source, failureCooldown: '10s', maxFailureCooldown: '5s' })).toThrow(
      /^maxFailureCooldown: must not be less than failureCooldown/,
    );
  });

  it('mints once for 100 concurrent requests with a real self-signed source', async () => {
    const key = await generateSigningKey();
    const source = createSelfSignedSource({ issuer: 'billing', key });
    const spy = vi.spyOn(source, 'getToken');
    const tokens = createTokenClient({ source });
    const all = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken('orders')));
    expect(new Set(all).size).toBe(1);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

/** A source whose every mint waits until the test settles it. */
function gatedSource(clock: { now: () => number }, lifetimeMs = 300_000) {
  const pending: Array<ReturnType<typeof deferred<void>>> = [];
  let calls = 0;
  const source: TokenSource = {
    getToken(request: TokenRequest): Promise<IssuedToken> {
      calls += 1;
      const accessToken = `${request.audience}#${calls}`;
      const gate = deferred<void>();
      pending.push(gate);
      return gate.promise.then(() => ({ accessToken, expiresAt: clock.now() + lifetimeMs }));
    },
  };
  return {
    source,
    calls: () => calls,
    /** Lets the oldest waiting mint succeed. */
    succeed: () => pending.shift()?.resolve(),
    /** Lets the oldest waiting mint fail. */
    fail: () => pending.shift()?.reject(new AuthClientError('token_endpoint_unavailable', 'down')),
  };
}

/**
 * A client whose cached token (`orders#1`) is inside its refresh margin, with the background
 * refresh it started still waiting for the source (`gated.succeed()` or `gated.fail()` ends it).
 */
async function refreshUnderWay() {
  const clock = manualClock();
  const gated = gatedSource(clock);
  const tokens = createTokenClient({ source: gated.source, now: clock.now });
  const first = tokens.getToken('orders');
  gated.succeed();
  const token = await first;
  clock.advance(250_000);
  const cached = settlement(tokens.getToken('orders')); // starts the background refresh
  await nextTurn();
  expect(cached.value).toBe('orders#1');
  expect(gated.calls()).toBe(2);
  return { clock, gated, tokens, token };
}

describe('TokenClient: refresh without blocking', () => {
  it('serves the cached token inside the margin while one refresh runs in the background', async () => {
    const clock = manualClock();
    const gated = gatedSource(clock);
    const tokens = createTokenClient({ source: gated.source, now: clock.now, refreshMargin: '60s' });
    const first = tokens.getToken('orders');
    gated.succeed();
    expect(await first).toBe('orders#1');

    clock.advance(250_000); // inside the margin
    const callers = Array.from({ length: 50 }, () => settlement(tokens.getToken('orders')));
    await nextTurn();
    // Every caller has its token while the refresh is still waiting for the source.
    expect(callers.map((c) => c.value)).toEqual(Array(50).fill('orders#1'));
    expect(gated.calls()).toBe(2);
    clock.advance(10_000);
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(gated.calls()).toBe(2); // one refresh at a time

    gated.succeed();
    await nextTurn();
    expect(await tokens.getToken('orders')).toBe('orders#2');
    expect(gated.calls()).toBe(2);
  });

  it.each<{ who: string; ask: (ctx: Awaited<ReturnType<typeof refreshUnderWay>>) => Promise<string> }>([
    {
      who: 'an expired token',
      ask: ({ clock, tokens }) => {
        clock.advance(50_000); // the cached token has expired; the refresh still runs
        return tokens.getToken('orders');
      },
    },
    {
      who: 'a rejected token', // gets the refresh under way, not the rejected token
      ask: ({ tokens, token }) => tokens.getToken('orders', { rejectedToken: token }),
    },
  ])('makes a caller with $who wait for the refresh already under way, not a new one', async ({ ask }) => {
    const underWay = await refreshUnderWay();
    const { gated } = underWay;
    const waiting = settlement(ask(underWay));
    await nextTurn();
    expect(waiting.status).toBe('pending');
    expect(gated.calls()).toBe(2);
    gated.succeed();
    await nextTurn();
    expect(waiting).toMatchObject({ status: 'fulfilled', value: 'orders#2' });
    expect(gated.calls()).toBe(2);
  });

  it('never turns a failed background refresh into an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const { gated, tokens } = await refreshUnderWay();
      gated.fail();
      await nextTurn();
      await nextTurn();
      expect(unhandled).toEqual([]);
      expect(await tokens.getToken('orders')).toBe('orders#1'); // kept after the failure
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

describe('TokenClient: back-off after failed refreshes', () => {
  it('doubles the wait after each failure in a row, from failureCooldown up to maxFailureCooldown', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    source.fail = true;
    const tokens = createTokenClient({ source, now: clock.now }); // 1 s doubling up to 30 s
    await expect(tokens.getToken('orders')).rejects.toThrow('down');
    const waits = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000];
    for (const [index, wait] of waits.entries()) {
      const failures = index + 1;
      // Jitter takes up to half of the wait off: never before half of it, always by all of it.
      clock.advance(wait / 2);
      await expect(tokens.getToken('orders')).rejects.toThrow('down');
      expect(source.calls()).toBe(failures);
      clock.advance(wait / 2);
      await expect(tokens.getToken('orders')).rejects.toThrow('down');
      expect(source.calls()).toBe(failures + 1);
    }
  });

  it('gives callers without a valid token the last failure at once during the back-off', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    source.fail = true;
    const tokens = createTokenClient({ source, now: clock.now });
    const failure = await tokens.getToken('orders').catch((error: unknown) => error);
    const during = await Promise.allSettled(Array.from({ length: 100 }, () => tokens.getToken('orders')));
    expect(new Set(during.map((r) => (r.status === 'rejected' ? r.reason : r.value)))).toEqual(
      new Set([failure]),
    );
    expect(source.calls()).toBe(1);
  });

  it('backs off background refreshes too, and uses the token until it expires', async () => {
    const clock = manualClock();
    const source = countingSource(clock); // tokens live 300 s
    const tokens = createTokenClient({ source, now: clock.now, refreshMargin: '60s' });
    expect(await tokens.getToken('orders')).toBe('orders#1');
    source.fail = true;
    clock.advance(240_000); // the margin: a refresh starts, and fails
    expect(await tokens.getToken('orders')).toBe('orders#1');
    await nextTurn();
    expect(source.calls()).toBe(2);
    clock.advance(499);
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(source.calls()).toBe(2); // inside the first wait
    clock.advance(501);
    expect(await tokens.getToken('orders')).toBe('orders#1');
    await nextTurn();
    expect(source.calls()).toBe(3);

    clock.advance(58_999); // one millisecond before expiry
    expect(await tokens.getToken('orders')).toBe('orders#1');
    await nextTurn();
    expect(source.calls()).toBe(4);
    clock.advance(1); // expired, and inside the third wait: the failure at once, no new attempt
    await expect(tokens.getToken('orders')).rejects.toMatchObject({ code: 'token_endpoint_unavailable' });
    expect(source.calls()).toBe(4);
  });

  it('starts the back-off afresh after a successful refresh', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    source.fail = true;
    const tokens = createTokenClient({ source, now: clock.now, failureCooldown: '1s' });
    for (const wait of [0, 1_000, 2_000, 4_000]) {
      clock.advance(wait);
      await expect(tokens.getToken('orders')).rejects.toThrow('down');
    }
    expect(source.calls()).toBe(4);
    source.fail = false;
    clock.advance(8_000);
    expect(await tokens.getToken('orders')).toBe('orders#5');
    source.fail = true;
    clock.advance(300_000); // expired
    await expect(tokens.getToken('orders')).rejects.toThrow('down');
    clock.advance(1_000); // the first wait again, not the fifth
    await expect(tokens.getToken('orders')).rejects.toThrow('down');
    expect(source.calls()).toBe(7);
  });
});
