import { describe, expect, it } from 'vitest';
import { describeTimeClaim, isoTime, relativeTime, span } from '../../src/explain/time-text.js';

// A fixed "now" (seconds): 2026-12-02T14:20:00Z. Nothing here reads the clock.
const NOW = 1_796_221_200;

describe('time text (rejection explanations and service-auth inspect)', () => {
  it('writes NumericDates as ISO 8601 UTC, without milliseconds for whole seconds', () => {
    expect(isoTime(NOW)).toBe('2026-12-02T14:20:00Z');
    expect(isoTime(NOW + 0.25)).toBe('2026-12-02T14:20:00.250Z');
    for (const value of ['1796221200', Number.NaN, Number.POSITIVE_INFINITY, 1e20, undefined]) {
      expect(isoTime(value)).toBeUndefined();
    }
  });

  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [180, '3 min'],
    [3569, '59 min'],
    [3600, '1 h'],
    [5400, '1.5 h'],
    [172_799, '48 h'],
    [172_800, '2 days'],
    [12 * 86_400, '12 days'],
  ])('rounds %i seconds to %s', (seconds, text) => {
    expect(span(seconds)).toBe(text);
    expect(span(-seconds)).toBe(text);
  });

  it('says how far a time is from now', () => {
    expect(relativeTime(NOW - 180, NOW)).toBe('3 min ago');
    expect(relativeTime(NOW + 180, NOW)).toBe('in 3 min');
    expect(relativeTime(NOW, NOW)).toBe('0 s ago');
  });

  it('describes a time claim with its age, and what is not a time as such', () => {
    expect(describeTimeClaim('exp', NOW - 180, NOW)).toBe('2026-12-02T14:17:00Z (expired 3 min ago)');
    expect(describeTimeClaim('exp', NOW + 240, NOW)).toBe('2026-12-02T14:24:00Z (expires in 4 min)');
    expect(describeTimeClaim('nbf', NOW + 60, NOW)).toBe('2026-12-02T14:21:00Z (in 1 min)');
    expect(describeTimeClaim('nbf', 'soon', NOW)).toBe('"soon" (not a NumericDate)');
  });
});
