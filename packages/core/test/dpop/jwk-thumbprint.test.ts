import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint } from '../../src/protocol.js';

const PAIRS = {
  'EC P-256': () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'EC P-384': () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  'EC P-521': () => generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  'OKP Ed25519': () => generateKeyPairSync('ed25519'),
  'OKP Ed448': () => generateKeyPairSync('ed448'),
  'RSA 2048': () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

describe('jwkThumbprint (RFC 7638, SHA-256)', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('matches the RFC 8037 Appendix A.3 Ed25519 example', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    expect(jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  for (const [name, generate] of Object.entries(PAIRS)) {
    it(`agrees with jose's calculateJwkThumbprint for ${name} keys, as JWK, public and private KeyObject`, async () => {
      const { publicKey, privateKey } = generate();
      const jwk = publicKey.export({ format: 'jwk' }) as JWK;
      const expected = await calculateJwkThumbprint(jwk, 'sha256');
      expect(jwkThumbprint(jwk)).toBe(expected);
      expect(jwkThumbprint(publicKey)).toBe(expected);
      expect(jwkThumbprint(privateKey)).toBe(expected);
      // Optional members and a private JWK's private members do not enter the hash.
      const privateJwk = privateKey.export({ format: 'jwk' });
      expect(jwkThumbprint({ ...privateJwk, kid: 'k1', alg: 'x', use: 'sig' })).toBe(expected);
    });
  }

  it('refuses symmetric keys, unknown key types and missing members', () => {
    expect(() => jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).toThrow(TypeError);
    expect(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' })).toThrow(/"y"/);
    expect(() => jwkThumbprint({ kty: 'RSA', n: 'abc', e: 1 })).toThrow(/"e"/);
    expect(() => jwkThumbprint({})).toThrow(/unsupported key type/);
  });
});
