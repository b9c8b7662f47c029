import { describe, expect, it } from 'vitest';
import { CallerPatterns } from '../../src/grants/caller-patterns.js';
import { AuthConfigError } from '../../src/index.js';

describe('CallerPatterns', () => {
  it('matches exact identities', () => {
    const patterns = new CallerPatterns('callers', ['orders', 'https://inventory.internal']);
    expect(patterns.matches('orders')).toBe(true);
    expect(patterns.matches('https://inventory.internal')).toBe(true);
    expect(patterns.matches('orders2')).toBe(false);
    expect(patterns.matches(undefined)).toBe(false);
  });

  it('matches prefix patterns ending in /* or :*', () => {
    const patterns = new CallerPatterns('callers', ['spiffe://prod/ns/billing/*', 'svc:shop:*']);
    expect(patterns.matches('spiffe://prod/ns/billing/sa/invoicer')).toBe(true);
    expect(patterns.matches('svc:shop:orders')).toBe(true);
    expect(patterns.matches('spiffe://prod/ns/billing/')).toBe(false);
    expect(patterns.matches('spiffe://prod/ns/billing-evil/sa/x')).toBe(false);
    expect(patterns.matches('spiffe://prod/ns/billing')).toBe(false);
  });

  it.each([['*'], ['billing*'], ['spiffe://*/billing'], ['/*'], [''], [' orders'], [7]])(
    'refuses the pattern %j with a message that says what to write',
    (pattern) => {
      expect(() => new CallerPatterns('services.callers', [pattern as string])).toThrow(AuthConfigError);
    },
  );

  it('refuses an empty list: leave the allow-list out to allow every caller', () => {
    expect(() => new CallerPatterns('services.callers', [])).toThrow(/at least one caller/);
  });

  it('explains where * may stand', () => {
    expect(() => new CallerPatterns('services.callers', ['billing*'])).toThrow(
      'services.callers[0]: "*" may only end a pattern after "/" or ":" (such as "spiffe://prod/ns/billing/*"); to allow every caller, leave the allow-list out',
    );
  });
});
