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
import { deferred, manualClock } from './helpers.js';

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
  it('reuses a token per audience and scope until the refresh margin', async () => {
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
    clock.advance(1_000); // 60 s before expiry: refreshed ahead of time
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

  it('shares one failure among concurrent callers and tries again afterwards', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    source.fail = true;
    const tokens = createTokenClient({ source, now: clock.now });
    const results = await Promise.allSettled([tokens.getToken('orders'), tokens.getToken('orders')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(source.calls()).toBe(1);
    source.fail = false;
    expect(await tokens.getToken('orders')).toBe('orders#2');
  });

  it('keeps a still-valid token when a refresh fails, then retries after the cool-down', async () => {
    const clock = manualClock();
    const source = countingSource(clock);
    const tokens = createTokenClient({ source, now: clock.now, failureCooldown: '5s' });
    await tokens.getToken('orders');
    clock.advance(250_000);
    source.fail = true;
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(await tokens.getToken('orders')).toBe('orders#1');
    expect(source.calls()).toBe(2); // the second call was inside the cool-down
    clock.advance(5_000);
    source.fail = false;
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
