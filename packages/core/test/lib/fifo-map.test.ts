import { describe, expect, it } from 'vitest';
import { FifoMap } from '../../src/lib/fifo-map.js';

describe('FifoMap', () => {
  it('reads and writes like a map', () => {
    const map = new FifoMap<string, number>();
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1);
    expect(map.get('b')).toBe(2);
    expect(map.get('c')).toBeUndefined();
    expect(map.size).toBe(2);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(1);
  });

  it('names the oldest insertion still present, skipping deleted ones', () => {
    const map = new FifoMap<string, number>();
    expect(map.oldestKey()).toBeUndefined();
    expect(map.deleteOldest()).toBe(false);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    map.delete('a');
    expect(map.oldestKey()).toBe('b');
    expect(map.oldestValue()).toBe(2);
    expect(map.deleteOldest()).toBe(true);
    expect([...map.entries()]).toEqual([['c', 3]]);
  });

  it('counts a key set again as a new insertion', () => {
    const map = new FifoMap<string, number>();
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3);
    expect(map.size).toBe(2);
    expect(map.oldestKey()).toBe('b');
    expect([...map.entries()]).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
    map.deleteOldest();
    map.deleteOldest();
    expect(map.size).toBe(0);
    expect(map.oldestKey()).toBeUndefined();
  });

  it('starts empty again after clear()', () => {
    const map = new FifoMap<string, number>();
    map.set('a', 1);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.oldestKey()).toBeUndefined();
    map.set('b', 2);
    expect(map.oldestKey()).toBe('b');
  });

  it('behaves like an insertion-ordered Map over a long random run (compactions included)', () => {
    // A reference: a plain Map, where deleting and setting again moves a key to the end.
    const reference = new Map<number, number>();
    const map = new FifoMap<number, number>();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 50_000; step++) {
      const key = random(3000);
      const action = random(10);
      if (action < 5) {
        reference.delete(key);
        reference.set(key, step);
        map.set(key, step);
      } else if (action < 8) {
        expect(map.delete(key)).toBe(reference.delete(key));
      } else {
        const oldest = reference.keys().next();
        if (!oldest.done) reference.delete(oldest.value);
        expect(map.deleteOldest()).toBe(!oldest.done);
      }
      expect(map.size).toBe(reference.size);
      expect(map.get(key)).toBe(reference.get(key));
      if (step % 5000 === 0) expect([...map.entries()]).toEqual([...reference.entries()]);
    }
    expect([...map.entries()]).toEqual([...reference.entries()]);
    expect(map.oldestKey()).toBe(reference.keys().next().value);
  });

  it('keeps its order through many evictions from the front (as a bounded cache does)', () => {
    const map = new FifoMap<number, number>();
    for (let key = 0; key < 200_000; key++) {
      map.set(key, key);
      if (map.size > 10_000) map.deleteOldest();
    }
    expect(map.size).toBe(10_000);
    expect(map.oldestKey()).toBe(190_000);
    expect([...map.entries()]).toHaveLength(10_000);
  });
});
