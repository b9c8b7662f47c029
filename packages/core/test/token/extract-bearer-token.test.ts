import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError, type RequestLike } from '../../src/index.js';
import { extractBearerToken } from '../../src/protocol.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJvcmRlcnMifQ.c2ln';

function request(...authorization: string[]): RequestLike {
  return {
    headers: authorization.length === 0 ? {} : { authorization: authorization[0] as string },
    rawHeaders: authorization.flatMap((value) => ['Authorization', value]),
  };
}

function failure(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('extractBearerToken', () => {
  it('returns the token of `Authorization: Bearer <token>`', () => {
    expect(extractBearerToken(request(`Bearer ${TOKEN}`))).toBe(TOKEN);
  });

  it('accepts the scheme in any case and extra spaces around the credential', () => {
    expect(extractBearerToken(request(`bearer ${TOKEN}`))).toBe(TOKEN);
    expect(extractBearerToken(request(`BEARER   ${TOKEN}  `))).toBe(TOKEN);
  });

  it('treats no header, an empty header or another scheme as no bearer credentials', () => {
    expect(extractBearerToken(request())).toBeUndefined();
    expect(extractBearerToken(request(''))).toBeUndefined();
    expect(extractBearerToken(request('Basic dXNlcjpwYXNz'))).toBeUndefined();
    expect(extractBearerToken(request(`Bearer${TOKEN}`))).toBeUndefined();
  });

  it('rejects several Authorization headers, even though Node keeps only the first', () => {
    const error = failure(() => extractBearerToken(request(`Bearer ${TOKEN}`, `Bearer ${TOKEN}`)));
    expect(error).toMatchObject({
      code: 'malformed_request',
      status: 400,
      description: 'several authorization headers',
    });
  });

  it('counts headers from the parsed map when there is no raw list', () => {
    const error = failure(() => extractBearerToken({ headers: { authorization: ['Bearer a', 'Bearer b'] } }));
    expect(error.code).toBe('malformed_request');
    expect(extractBearerToken({ headers: { authorization: `Bearer ${TOKEN}` } })).toBe(TOKEN);
  });

  it('rejects an empty credential and several credentials', () => {
    expect(failure(() => extractBearerToken(request('Bearer'))).description).toBe('empty bearer token');
    expect(failure(() => extractBearerToken(request('Bearer   '))).description).toBe('empty bearer token');
    expect(failure(() => extractBearerToken(request(`Bearer ${TOKEN} ${TOKEN}`))).description).toBe(
      'exactly one bearer token expected',
    );
  });

  it('rejects characters outside the RFC 6750 b64token syntax', () => {
    expect(failure(() => extractBearerToken(request('Bearer abc,def'))).description).toBe(
      'invalid characters in bearer token',
    );
  });

  it('enforces the size limit, 8 KiB by default', () => {
    expect(extractBearerToken(request(`Bearer ${'a'.repeat(8192)}`))).toHaveLength(8192);
    expect(failure(() => extractBearerToken(request(`Bearer ${'a'.repeat(8193)}`))).description).toBe(
      'token too large',
    );
    expect(
      failure(() => extractBearerToken(request(`Bearer ${'a'.repeat(100)}`), { maxTokenLength: 64 })).code,
    ).toBe('malformed_request');
    // A huge header is refused before it is parsed.
    expect(failure(() => extractBearerToken(request(`Bearer ${'a'.repeat(1_000_000)}`))).code).toBe(
      'malformed_request',
    );
  });

  it('ignores query-string tokens unless a parameter is enabled', () => {
    const req = { headers: {}, url: `/orders?access_token=${TOKEN}` };
    expect(extractBearerToken(req)).toBeUndefined();
    expect(extractBearerToken(req, { queryParameter: 'access_token' })).toBe(TOKEN);
    expect(
      extractBearerToken({ headers: {}, url: '/orders' }, { queryParameter: 'access_token' }),
    ).toBeUndefined();
    expect(extractBearerToken({ headers: {} }, { queryParameter: 'access_token' })).toBeUndefined();
  });

  it('rejects a token sent in the header and the query string, or twice in the query', () => {
    const both = { ...request(`Bearer ${TOKEN}`), url: `/?access_token=${TOKEN}` };
    expect(failure(() => extractBearerToken(both, { queryParameter: 'access_token' })).description).toBe(
      'token sent in more than one place',
    );
    const twice = { headers: {}, url: '/?access_token=a&access_token=b' };
    expect(failure(() => extractBearerToken(twice, { queryParameter: 'access_token' })).code).toBe(
      'malformed_request',
    );
  });

  it('puts the realm in the challenge', () => {
    const error = failure(() => extractBearerToken(request('Bearer a b'), { realm: 'orders' }));
    expect(error.headers['WWW-Authenticate']).toContain('realm="orders"');
  });

  describe('properties', () => {
    const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,200}=*$/);

    it('returns exactly the credential of every well-formed header', () => {
      fc.assert(
        fc.property(
          b64token,
          fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR'),
          fc.integer({ min: 1, max: 4 }),
          (token, scheme, spaces) => {
            expect(extractBearerToken(request(`${scheme}${' '.repeat(spaces)}${token}`))).toBe(token);
          },
        ),
      );
    });

    it('never throws anything but an AuthError, whatever the header', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ maxLength: 300 }), { maxLength: 3 }), (headers) => {
          try {
            const token = extractBearerToken(request(...headers));
            if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
          } catch (error) {
            expect(error).toBeInstanceOf(AuthError);
            expect((error as AuthError).status).toBe(400);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
