import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTime } from '../../src/claims/check-time.js';
import { AuthError } from '../../src/index.js';
import { createFixture, NOW } from '../support/verifier-fixture.js';

// A reference model of RFC 7519 §4.1.4–4.1.6 with a clock tolerance, written independently of
// the implementation: which code, if any, must a token with these claims get at `now`?
function expected(
  claims: { exp?: number; nbf?: number; iat?: number },
  now: number,
  tolerance: number,
  maxAge?: number,
) {
  if (claims.exp === undefined) return 'missing_claim';
  if (now - tolerance >= claims.exp) return 'token_expired';
  if (claims.nbf !== undefined && claims.nbf > now + tolerance) return 'token_not_active';
  if (maxAge !== undefined && claims.iat === undefined) return 'missing_claim';
  if (claims.iat !== undefined && claims.iat > now + tolerance) return 'token_not_active';
  if (maxAge !== undefined && claims.iat !== undefined && now - claims.iat > maxAge + tolerance)
    return 'token_too_old';
  return 'accepted';
}

function actual(claims: Record<string, unknown>, now: number, tolerance: number, maxAge?: number): string {
  try {
    checkTime(claims, now, { clockTolerance: tolerance, maxTokenAge: maxAge });
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).code;
  }
}

const time = fc.integer({ min: NOW - 1000, max: NOW + 1000 });
const optionalTime = fc.option(time, { nil: undefined });

describe('time claims, as properties', () => {
  it('agree with the reference model for every exp, nbf, iat, tolerance and maximum age', () => {
    fc.assert(
      fc.property(
        fc.record({ exp: optionalTime, nbf: optionalTime, iat: optionalTime }, { requiredKeys: [] }),
        time,
        fc.integer({ min: 0, max: 120 }),
        fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
        (claims, now, tolerance, maxAge) => {
          const present = Object.fromEntries(
            Object.entries(claims).filter(([, value]) => value !== undefined),
          );
          expect(actual(present, now, tolerance, maxAge)).toBe(expected(present, now, tolerance, maxAge));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never accept a NumericDate that is not a finite, non-negative number', () => {
    const notANumericDate = fc.oneof(
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.integer({ max: -1 }),
      fc.constant(1e12),
    );
    fc.assert(
      fc.property(fc.constantFrom('exp', 'nbf', 'iat'), notANumericDate, (claim, value) => {
        const claims = { exp: NOW + 60, [claim]: value };
        expect(actual(claims, NOW, 5)).toBe('invalid_claim');
      }),
    );
  });

  it('a token only ever becomes invalid as time passes, never valid again after expiring', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 2000 }), (exp, later) => {
        const at = (now: number) => actual({ exp }, now, 5);
        if (at(NOW) === 'token_expired') expect(at(NOW + later)).toBe('token_expired');
      }),
    );
  });
});

describe('audience, as properties', () => {
  it('accepts exactly the tokens whose aud names this service, and refuses several audiences', async () => {
    const fixture = await createFixture({ audience: ['payments', 'billing'] });
    const audience = fc.constantFrom(
      'payments',
      'billing',
      'inventory',
      'orders',
      '*',
      'Payments',
      'payments ',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(audience, fc.uniqueArray(audience, { minLength: 1, maxLength: 3 })),
        async (aud) => {
          const list = typeof aud === 'string' ? [aud] : aud;
          const shouldAccept = list.length === 1 && (list[0] === 'payments' || list[0] === 'billing');
          const outcome = await fixture.verifier.verify(await fixture.sign({ aud })).then(
            () => 'accepted',
            (error: AuthError) => error.code,
          );
          expect(outcome).toBe(shouldAccept ? 'accepted' : 'invalid_audience');
        },
      ),
      { numRuns: 150 },
    );
  });
});
