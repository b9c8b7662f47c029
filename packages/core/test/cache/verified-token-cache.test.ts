import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../src/cache/verified-token-cache.js';
import { createFixture, NOW } from '../support/verifier-fixture.js';

describe('VerifiedTokenCache', () => {
  it('keeps at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache<{ expiresAtMs: number }>(2);
    cache.set('a', { expiresAtMs: 10 });
    cache.set('b', { expiresAtMs: 10 });
    cache.set('c', { expiresAtMs: 10 });
    expect(cache.size).toBe(2);
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toBeDefined();
  });

  it('drops an entry once it expires', () => {
    const cache = new VerifiedTokenCache<{ expiresAtMs: number }>(2);
    cache.set('a', { expiresAtMs: 10 });
    expect(cache.get('a', 9)).toBeDefined();
    expect(cache.get('a', 10)).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('b', { expiresAtMs: 10 });
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe('the verified-signature cache in the verifier', () => {
  it('skips the signature check for a token it verified before, and says so', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign();
    const first = await fixture.verifier.verify(token);
    const second = await fixture.verifier.verify(token);
    expect(second).toBe(first);
    expect(fixture.events.map((e) => e.type === 'accepted' && e.cached)).toEqual([false, true]);
  });

  it('never caches a rejected token', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign({ aud: 'inventory' });
    await fixture.verifier.verify(token).catch(() => {});
    await fixture.verifier.verify(token).catch(() => {});
    expect(fixture.events.map((e) => e.type)).toEqual(['rejected', 'rejected']);
  });

  it('can be turned off', async () => {
    const fixture = await createFixture({ cache: false });
    const token = await fixture.sign();
    await fixture.verifier.verify(token);
    await fixture.verifier.verify(token);
    expect(fixture.events.map((e) => e.type === 'accepted' && e.cached)).toEqual([false, false]);
  });

  it('is bounded by maxEntries', async () => {
    const fixture = await createFixture({ cache: { maxEntries: 1 } });
    const a = await fixture.sign({ jti: 'a' });
    const b = await fixture.sign({ jti: 'b' });
    await fixture.verifier.verify(a);
    await fixture.verifier.verify(b);
    await fixture.verifier.verify(a);
    expect(fixture.events.map((e) => e.type === 'accepted' && e.cached)).toEqual([false, false, false]);
  });

  it('does not serve a token past its expiry', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign();
    await fixture.verifier.verify(token);
    fixture.clock.now = NOW + 1000;
    await expect(fixture.verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('shares nothing mutable between requests: the verified claims are frozen', async () => {
    const fixture = await createFixture();
    const auth = await fixture.verifier.verify(await fixture.sign({ permissions: ['orders:read'] }));
    expect(Object.isFrozen(auth.claims)).toBe(true);
    expect(Object.isFrozen(auth.claims.permissions)).toBe(true);
    expect(Object.isFrozen(auth.audience)).toBe(true);
  });
});
