import { constants, createPublicKey, createSecretKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthConfigError } from '../../src/errors.js';
import { ASYMMETRIC_ALGORITHMS } from '../../src/keys/algorithms.js';
import {
  algorithmsForKey,
  createKeyEntry,
  importPublicKey,
  importSecret,
  jwkFingerprint,
  keyWeakness,
} from '../../src/keys/key-entry.js';
import { createVerifier } from '../../src/verifier/verifier.js';
import { expectAuthError } from '../support/auth-errors.js';
import { AUDIENCE, createSecret, defaultClaims, ISSUER, T0, unsignedToken } from '../support/tokens.js';

const allowed = new Set<string>(ASYMMETRIC_ALGORITHMS);

describe('algorithmsForKey', () => {
  it.each<[string, () => { publicKey: import('node:crypto').KeyObject }, string[]]>([
    [
      'rsa',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
      ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
    ],
    [
      'rsa-pss (refused: jose cannot use it)',
      () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 }),
      [],
    ],
    ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), ['ES256']],
    ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), ['ES384']],
    ['P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }), ['ES512']],
    ['secp256k1', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }), []],
    ['ed25519', () => generateKeyPairSync('ed25519'), ['EdDSA', 'Ed25519']],
    ['ed448', () => generateKeyPairSync('ed448'), ['EdDSA']],
    ['x25519', () => generateKeyPairSync('x25519'), []],
  ])('%s', (_name, generate, expected) => {
    expect(algorithmsForKey(generate().publicKey)).toEqual(expected);
  });

  it('secret keys', () => {
    expect(algorithmsForKey(createSecretKey(createSecret()))).toEqual(['HS256', 'HS384', 'HS512']);
  });
});

describe('createKeyEntry', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('refuses private keys, non-signing keys, unknown alg and keys outside the allow-list', () => {
    expect(keyWeakness(ec.publicKey)).toBeUndefined();
    expect(createKeyEntry(ec.publicKey, { use: 'enc', allowed })).toContain('not a signing key');
    expect(createKeyEntry(ec.publicKey, { alg: 'none', allowed })).toContain('unsupported alg');
    expect(createKeyEntry(ec.publicKey, { allowed: new Set(['RS256']) })).toContain('none of the allowed');
    expect(createKeyEntry(generateKeyPairSync('x25519').publicKey, { allowed })).toContain(
      'none of the allowed',
    );
  });

  it('a usable key gets its algorithms narrowed by alg and the allow-list', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const entry = createKeyEntry(rsa, { kid: 'a', alg: 'PS256', use: 'sig', allowed });
    expect(entry).toMatchObject({ kid: 'a', key: rsa, current: true });
    expect(typeof entry === 'object' && [...entry.algorithms]).toEqual(['PS256']);
  });
});

describe('importPublicKey / importSecret', () => {
  it('refuses private key material in every form', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => importPublicKey(ec.privateKey)).toThrow(/private/);
    expect(() => importPublicKey(ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString())).toThrow(
      /private/,
    );
    expect(() => importPublicKey(ec.privateKey.export({ format: 'jwk' }))).toThrow(/private/);
    expect(() => importPublicKey(createSecretKey(createSecret()))).toThrow(/symmetric/);
  });

  it('imports a JWK by its public members only', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'k', key_ops: ['verify'], ext: true };
    expect(importPublicKey(jwk).equals(ec.publicKey)).toBe(true);
  });

  it('passes secret KeyObjects through and wraps bytes and strings', () => {
    const secret = createSecretKey(createSecret());
    expect(importSecret(secret)).toBe(secret);
    expect(importSecret('x'.repeat(32)).symmetricKeySize).toBe(32);
    expect(importSecret(createSecret(40)).symmetricKeySize).toBe(40);
  });
});

describe('jwkFingerprint', () => {
  const jwk = { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy', kid: 'k', alg: 'ES256', use: 'sig' };

  it('ignores members that do not define the key', () => {
    expect(jwkFingerprint({ ...jwk, x5t: 't' })).toBe(jwkFingerprint(jwk));
  });

  // key_ops decides whether the key may verify (RFC 7517 §4.3), so a change must be re-evaluated.
  it.each(['kid', 'alg', 'use', 'key_ops', 'x', 'y', 'crv'])('changes with %s', (member) => {
    expect(jwkFingerprint({ ...jwk, [member]: 'changed' })).not.toBe(jwkFingerprint(jwk));
  });
});

describe('RSA-PSS (id-RSASSA-PSS) keys', () => {
  it('are either usable for PS256 or refused at construction, never accepted and then useless', async () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const build = () =>
      createVerifier({
        issuers: { issuer: ISSUER, publicKey: pss.publicKey },
        audience: AUDIENCE,
        now: () => T0,
      });
    let verifier: ReturnType<typeof build>;
    try {
      verifier = build();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthConfigError);
      return;
    }
    const input = unsignedToken({ alg: 'PS256' }, defaultClaims()).slice(0, -1);
    const signature = sign('sha256', Buffer.from(input), {
      key: pss.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    await verifier.verify(`${input}.${signature.toString('base64url')}`);
    await expectAuthError(
      verifier.verify(unsignedToken({ alg: 'RS256' }, defaultClaims(), 'AAAA')),
      'unknown_key',
    );
  });
});

describe('key hardening (RFC 7517 key_ops, RSA exponent, ROCA)', () => {
  const allowed = new Set(['RS256', 'ES256']);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

  it('a key whose key_ops leave out "verify" cannot verify', () => {
    expect(createKeyEntry(ec, { keyOps: ['encrypt'], allowed })).toMatch(/key_ops/);
    expect(createKeyEntry(ec, { keyOps: 'verify', allowed })).toMatch(/key_ops/);
    expect(createKeyEntry(ec, { keyOps: ['sign', 'verify'], allowed })).toMatchObject({ kid: undefined });
  });

  it('RSA keys with a public exponent of 1 or an even one are refused', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const jwk = rsa.export({ format: 'jwk' });
    for (const e of ['AQ' /* 1 */, 'Ag' /* 2 */]) {
      const weak = createPublicKey({ key: { ...jwk, e }, format: 'jwk' });
      expect(keyWeakness(weak)).toMatch(/exponent/);
    }
    expect(keyWeakness(rsa)).toBeUndefined();
  });
});
