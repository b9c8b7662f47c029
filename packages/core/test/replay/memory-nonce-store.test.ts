import { describe, expect, it } from 'vitest';
import { AuthConfigError, MemoryNonceStore } from '../../src/index.js';

function clock(start = 1_000_000) {
  let ms = start * 1000;
  return {
    now: () => ms,
    advance(seconds: number) {
      ms += seconds * 1000;
    },
  };
}

describe('MemoryNonceStore', () => {
  it('accepts a value once while it has not expired', () => {
    const time = clock();
    const store = new MemoryNonceStore({ now: time.now });
    expect(store.useOnce('a', 1_000_300)).toBe(true);
    expect(store.useOnce('a', 1_000_300)).toBe(false);
    expect(store.useOnce('b', 1_000_300)).toBe(true);
    time.advance(299);
    expect(store.useOnce('a', 1_000_600)).toBe(false);
  });

  it('accepts a value again once its expiry has passed (it can no longer be replayed anyway)', () => {
    const time = clock();
    const store = new MemoryNonceStore({ now: time.now });
    store.useOnce('a', 1_000_010);
    time.advance(10);
    expect(store.useOnce('a', 1_000_020)).toBe(true);
  });

  it('stays bounded: expired values are dropped as new ones arrive', () => {
    const time = clock();
    const store = new MemoryNonceStore({ now: time.now, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) {
      expect(store.useOnce(`n${i}`, 1_000_000 + i / 100 + 1)).toBe(true);
      time.advance(0.01);
    }
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it('sweeps values that expire out of order before it declares itself full', () => {
    const time = clock();
    const store = new MemoryNonceStore({ now: time.now, maxEntries: 3 });
    store.useOnce('long', 1_000_100);
    store.useOnce('short-1', 1_000_001);
    store.useOnce('short-2', 1_000_001);
    time.advance(2);
    expect(store.useOnce('new', 1_000_100)).toBe(true);
    expect(store.useOnce('long', 1_000_100)).toBe(false);
  });

  it('refuses new values when full of unexpired ones, rather than forgetting any', () => {
    const store = new MemoryNonceStore({ now: clock().now, maxEntries: 2 });
    store.useOnce('a', 1_000_100);
    store.useOnce('b', 1_000_100);
    expect(() => store.useOnce('c', 1_000_100)).toThrow('nonce store full');
    expect(store.useOnce('a', 1_000_100)).toBe(false);
  });

  it('rejects a useless size at construction', () => {
    expect(() => new MemoryNonceStore({ maxEntries: 0 })).toThrow(AuthConfigError);
    expect(() => new MemoryNonceStore({ maxEntries: 1.5 })).toThrow(
      'maxEntries: expected a positive integer',
    );
  });
});
