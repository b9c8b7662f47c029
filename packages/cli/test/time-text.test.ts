import { describe, expect, it } from 'vitest';
import { isoTimes, timeLines, timeWarnings } from '../src/time-text.js';

// A fixed "now" (seconds): 2026-12-02T14:20:00Z. Nothing here reads the clock.
const NOW = 1_796_221_200;

describe('time text', () => {
  it('lists iat, nbf and exp with their age, and keeps what is not a time readable', () => {
    expect(timeLines({ exp: NOW - 180, iat: NOW - 480, sub: 'x' }, NOW)).toEqual([
      'iat 2026-12-02T14:12:00Z (8 min ago)',
      'exp 2026-12-02T14:17:00Z (expired 3 min ago)',
    ]);
    expect(timeLines({ exp: NOW + 240 }, NOW)).toEqual(['exp 2026-12-02T14:24:00Z (expires in 4 min)']);
    expect(timeLines({ nbf: 'soon' as unknown as number }, NOW)).toEqual(['nbf "soon" (not a NumericDate)']);
    expect(isoTimes({ iat: NOW, exp: NOW + 60, nbf: 'soon' as unknown as number })).toEqual({
      iat: '2026-12-02T14:20:00Z',
      exp: '2026-12-02T14:21:00Z',
    });
  });

  it('warns about what a service would reject on time grounds', () => {
    expect(timeWarnings({ iat: NOW - 60, exp: NOW + 60 }, NOW)).toEqual([]);
    expect(timeWarnings({ exp: NOW }, NOW)).toEqual([
      { code: 'token_expired', message: 'expired 0 s ago (exp 2026-12-02T14:20:00Z)' },
    ]);
    expect(timeWarnings({ iat: NOW + 120, nbf: NOW + 3600, exp: NOW + 7200 }, NOW)).toEqual([
      { code: 'token_not_active', message: 'not valid yet: valid from 2026-12-02T15:20:00Z (in 1 h)' },
      { code: 'token_not_active', message: 'issued in the future: iat 2026-12-02T14:22:00Z (in 2 min)' },
    ]);
    expect(timeWarnings({ iat: NOW }, NOW)).toEqual([{ code: 'missing_claim', message: 'no exp claim' }]);
  });
});
