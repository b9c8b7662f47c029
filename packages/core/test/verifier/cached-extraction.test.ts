import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bearerCredential,
  DEFAULT_MAX_TOKEN_LENGTH,
  extractBearerToken,
} from '../../src/token/extract-bearer-token.js';
import { createFixture } from '../support/verifier-fixture.js';

describe('authenticateCached reads the token without the character check, and refuses nothing less', () => {
  it('answers only for the exact token authenticate() would extract', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign();
    await fixture.verifier.authenticate({ headers: { authorization: `Bearer ${token}` } });
    for (const authorization of [`bearer   ${token}`, `  Bearer ${token}  `, `BEARER ${token}`]) {
      const request = { headers: { authorization } };
      expect(fixture.verifier.authenticateCached(request), authorization).toBeDefined();
      await expect(fixture.verifier.authenticate(request)).resolves.toBeDefined();
    }
    for (const authorization of [
      `Bearer ${token} x`,
      `Bearer ${token},`,
      `Bearer "${token}"`,
      `Basic ${token}`,
    ]) {
      const request = { headers: { authorization } };
      expect(fixture.verifier.authenticateCached(request), authorization).toBeUndefined();
    }
  });

  it('leaves a token that is also in the query string to authenticate(), which refuses it', async () => {
    const fixture = await createFixture({ queryParameter: 'access_token' });
    const token = await fixture.sign();
    await fixture.verifier.authenticate({ headers: { authorization: `Bearer ${token}` } });
    const both = { headers: { authorization: `Bearer ${token}` }, url: `/?access_token=${token}` };
    expect(fixture.verifier.authenticateCached(both)).toBeUndefined();
    await expect(fixture.verifier.authenticate(both)).rejects.toMatchObject({ code: 'malformed_request' });
    expect(
      fixture.verifier.authenticateCached({ headers: {}, url: `/?access_token=${token}` }),
    ).toBeDefined();
  });

  it('with extractToken, uses the application function as authenticate() does', async () => {
    const fixture = await createFixture({ extractToken: (request) => request.headers['x-token'] as string });
    const token = await fixture.sign();
    await fixture.verifier.authenticate({ headers: { 'x-token': token } });
    expect(fixture.verifier.authenticateCached({ headers: { 'x-token': token } })).toBeDefined();
    expect(
      fixture.verifier.authenticateCached({ headers: { authorization: `Bearer ${token}` } }),
    ).toBeUndefined();
  });
});

describe('bearerCredential agrees with extractBearerToken on every well-formed token', () => {
  const jwsChars = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}\.[A-Za-z0-9_-]{1,20}\.[A-Za-z0-9_-]{0,20}$/);
  const scheme = fc.constantFrom(
    'Bearer',
    'bearer',
    'BEARER',
    'bEaReR',
    'Bearer\t',
    'Basic',
    'Bearerx',
    'Bear',
    '',
  );
  const spaces = fc.constantFrom('', ' ', '  ', '\t', ' \t');

  it('returns what extractBearerToken returns whenever that is a token', () => {
    fc.assert(
      fc.property(spaces, scheme, spaces, fc.oneof(jwsChars, fc.string()), spaces, (a, s, b, token, c) => {
        const request = { headers: { authorization: `${a}${s}${b}${token}${c}` } };
        let extracted: string | undefined;
        try {
          extracted = extractBearerToken(request);
        } catch {
          return; // refused: only a cache hit could differ, and such a string is never cached
        }
        expect(bearerCredential(request, DEFAULT_MAX_TOKEN_LENGTH)).toBe(extracted);
      }),
    );
  });

  it('returns a string a cached token could be only where extractBearerToken returns the same', () => {
    fc.assert(
      fc.property(spaces, scheme, spaces, jwsChars, spaces, (a, s, b, token, c) => {
        const request = { headers: { authorization: `${a}${s}${b}${token}${c}` } };
        const candidate = bearerCredential(request, DEFAULT_MAX_TOKEN_LENGTH);
        // Every cached token is base64url segments and dots; any other string is never found.
        if (candidate === undefined || !/^[A-Za-z0-9_.-]+$/.test(candidate)) return;
        expect(extractBearerToken(request)).toBe(candidate);
      }),
    );
  });
});
