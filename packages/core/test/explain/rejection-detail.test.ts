import { describe, expect, it } from 'vitest';
import { bounded, MAX_VALUE_LENGTH, MAX_VALUES, mismatch } from '../../src/explain/rejection-detail.js';
import type { AuthEvent, RejectionDetail } from '../../src/index.js';
import { bearer, createFixture, NOW } from '../support/verifier-fixture.js';

/** The `detail` of the one `rejected` event a request produced. */
function detailOf(events: AuthEvent[]): RejectionDetail | undefined {
  const rejected = events.filter((event) => event.type === 'rejected');
  expect(rejected).toHaveLength(1);
  return rejected[0]?.type === 'rejected' ? rejected[0].detail : undefined;
}

describe('rejected events explain what was found and what was expected', () => {
  it('an untrusted issuer names both issuers', async () => {
    const { verifier, sign, events } = await createFixture();
    await verifier.authenticate(bearer(await sign({ iss: 'orders' }))).catch(() => undefined);
    expect(detailOf(events)).toEqual({
      field: 'iss',
      found: 'orders',
      expected: ['https://orders.internal'],
      explanation: 'iss is "orders", expected "https://orders.internal"',
    });
  });

  it.each([
    [
      'audience',
      { aud: 'orders' },
      {
        field: 'aud',
        found: 'orders',
        expected: ['payments'],
        explanation: 'aud is "orders", expected "payments"',
      },
    ],
    [
      'expiry',
      { exp: NOW - 180 },
      {
        field: 'exp',
        found: NOW - 180,
        now: NOW,
        explanation: 'exp is 2025-12-31T23:57:00Z (expired 3 min ago)',
      },
    ],
    [
      'not-before',
      { nbf: NOW + 3600 },
      { field: 'nbf', found: NOW + 3600, now: NOW, explanation: 'nbf is 2026-01-01T01:00:00Z (in 1 h)' },
    ],
    [
      'service marker',
      { source: 'browser' },
      {
        field: 'source',
        explanation: 'no service marker (source is "browser", expected "microservice")',
      },
    ],
  ])('%s', async (_name, claims, expected) => {
    const { verifier, sign, events } = await createFixture({ clockTolerance: 0 });
    await verifier.authenticate(bearer(await sign(claims))).catch(() => undefined);
    expect(detailOf(events)).toMatchObject(expected);
  });

  it('an unknown kid and an algorithm not accepted name the key id, the algorithms and the issuer', async () => {
    const { verifier, sign, events } = await createFixture();
    await verifier.authenticate(bearer(await sign({}, { kid: 'k9' }))).catch(() => undefined);
    expect(detailOf(events)).toEqual({
      field: 'kid',
      found: 'k9',
      issuer: 'https://orders.internal',
      explanation: 'kid "k9" is not in the JWKS of https://orders.internal',
    });
    events.length = 0;
    const payload = (await sign()).split('.')[1];
    const hs256 = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'k1' })).toString('base64url')}.${payload}.c2ln`;
    await verifier.authenticate(bearer(hs256)).catch(() => undefined);
    expect(detailOf(events)).toMatchObject({
      field: 'alg',
      found: 'HS256',
      issuer: 'https://orders.internal',
      explanation: expect.stringMatching(/^alg "HS256" is not accepted \(accepted: .*ES256/),
    });
  });

  it('carries no token, signature or key: only the facts it names', async () => {
    const { verifier, sign, events, jwk } = await createFixture();
    const token = await sign({ aud: 'orders', note: 'MARKER-CLAIM-1234' });
    const error = await verifier.authenticate(bearer(token)).catch((e: unknown) => e);
    const text = JSON.stringify({ events, detail: (error as { detail: unknown }).detail });
    for (const secret of [token, token.split('.')[2], 'MARKER-CLAIM', String(jwk.x)]) {
      expect(text).not.toContain(secret);
    }
    // The client never sees it: the body and the challenge are unchanged.
    expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain('expected');
  });

  it('bounds what a token supplies: long values are cut, long lists shortened', () => {
    const long = 'x'.repeat(10_000);
    expect((bounded(long) as string).length).toBe(MAX_VALUE_LENGTH + 1);
    expect(bounded(Array.from({ length: 100 }, (_, i) => `a${i}`))).toHaveLength(MAX_VALUES);
    expect(bounded({ nested: 'object' })).toBe('(object)');
    expect(bounded(null)).toBe('(null)');
    expect(mismatch('iss', long, ['a']).explanation.length).toBeLessThan(200);
    expect(mismatch('aud', 'x', ['a', 'b']).explanation).toBe('aud is "x", expected one of "a", "b"');
    expect(mismatch('iss', undefined, ['a']).explanation).toBe('iss is missing, expected "a"');
  });
});
