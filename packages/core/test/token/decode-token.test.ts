import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/index.js';
import { decodeToken } from '../../src/protocol.js';
import { isCanonicalBase64Url } from '../../src/token/decode-token.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (header: unknown, payload: unknown, signature = 'c2ln') =>
  `${b64(header)}.${b64(payload)}.${signature}`;

function failure(value: string): AuthError {
  try {
    decodeToken(value);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('decodeToken', () => {
  it('decodes header and payload of a compact JWS', () => {
    expect(decodeToken(token({ alg: 'ES256', kid: 'k1' }, { sub: 'orders' }))).toEqual({
      header: { alg: 'ES256', kid: 'k1' },
      payload: { sub: 'orders' },
    });
  });

  it('says so when an encrypted token (JWE) is sent', () => {
    expect(failure('a.b.c.d.e')).toMatchObject({
      code: 'unsupported_token',
      description: 'encrypted tokens (JWE) are not accepted; send a signed JWT',
    });
  });

  it('says so when an opaque token is sent', () => {
    expect(failure('2YotnFZFEjr1zCsicMWpAA')).toMatchObject({
      code: 'unsupported_token',
      description: 'opaque tokens are not accepted; send a signed JWT',
    });
  });

  it.each([
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['six parts', 'a.b.c.d.e.f'],
    ['empty header', `.${b64({})}.c2ln`],
    ['empty payload', `${b64({ alg: 'ES256' })}..c2ln`],
    ['header not base64url', `${b64({ alg: 'ES256' })}+.${b64({})}.c2ln`],
    ['padding', `${b64({ alg: 'ES256' })}=.${b64({})}.c2ln`],
    ['whitespace', `${b64({ alg: 'ES256' })} .${b64({})}.c2ln`],
    ['signature not base64url', `${b64({ alg: 'ES256' })}.${b64({})}.c2l/`],
    ['header not JSON', `${Buffer.from('nope').toString('base64url')}.${b64({})}.c2ln`],
    ['header an array', token(['ES256'], {})],
    ['header null', token(null, {})],
    ['payload not JSON', `${b64({ alg: 'ES256' })}.${Buffer.from('nope').toString('base64url')}.c2ln`],
    ['payload an array', token({ alg: 'ES256' }, [1])],
    ['payload a string', token({ alg: 'ES256' }, 'sub')],
    ['no alg', token({ typ: 'JWT' }, {})],
    ['empty alg', token({ alg: '' }, {})],
    ['alg not a string', token({ alg: 1 }, {})],
    ['kid not a string', token({ alg: 'ES256', kid: 7 }, {})],
    ['typ not a string', token({ alg: 'ES256', typ: 7 }, {})],
    ['unencoded payload (b64)', token({ alg: 'ES256', b64: false, crit: ['b64'] }, {})],
    [
      'invalid UTF-8',
      `${b64({ alg: 'ES256' })}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.c2ln`,
    ],
  ])('rejects a token with %s as malformed', (_, value) => {
    expect(failure(value)).toMatchObject({ code: 'malformed_token', status: 401 });
  });

  it('accepts an empty signature segment as structure (the signature check refuses it)', () => {
    expect(decodeToken(token({ alg: 'ES256' }, {}, '')).header.alg).toBe('ES256');
  });

  describe('isCanonicalBase64Url', () => {
    it('refuses non-zero unused bits, so one value has one spelling', () => {
      // "QQ" is the canonical encoding of "A"; "QR" decodes to the same byte.
      expect(isCanonicalBase64Url('QQ')).toBe(true);
      expect(isCanonicalBase64Url('QR')).toBe(false);
      expect(isCanonicalBase64Url('Q')).toBe(false);
    });

    it('accepts every canonical encoding', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          expect(isCanonicalBase64Url(Buffer.from(bytes).toString('base64url'))).toBe(true);
        }),
      );
    });
  });

  it('never throws anything but an AuthError, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (value) => {
        try {
          decodeToken(value);
        } catch (error) {
          expect(error).toBeInstanceOf(AuthError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('isCanonicalBase64Url, exhaustively on short segments', () => {
  it('agrees with re-encoding for every 2- and 3-character segment', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const a of alphabet) {
      for (const b of alphabet) {
        for (const segment of [`${a}${b}`, `A${a}${b}`]) {
          const reencoded = Buffer.from(segment, 'base64url').toString('base64url') === segment;
          expect(isCanonicalBase64Url(segment)).toBe(reencoded);
        }
      }
    }
  });
});
