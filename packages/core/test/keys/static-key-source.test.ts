import { createSecretKey, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IssuerOptions } from '../../src/keys/issuer-options.js';
import { createVerifier, type Verifier } from '../../src/verifier/verifier.js';
import { expectAuthError, expectConfigError } from '../support/auth-errors.js';
import {
  AUDIENCE,
  createIssuerKeys,
  createSecret,
  defaultClaims,
  ISSUER,
  type IssuerKeys,
  mintToken,
  T0,
  unsignedToken,
} from '../support/tokens.js';

let rsa: IssuerKeys;
let p256: IssuerKeys;
let p256b: IssuerKeys;
let p384: IssuerKeys;

beforeAll(() => {
  rsa = createIssuerKeys('RS256', { kid: 'rsa-1' });
  p256 = createIssuerKeys('ES256', { kid: 'ec-a' });
  p256b = createIssuerKeys('ES256', { kid: 'ec-b' });
  p384 = createIssuerKeys('ES384', { kid: 'ec-384' });
});

function build(issuers: IssuerOptions | readonly IssuerOptions[]): Verifier {
  return createVerifier({ issuers, audience: AUDIENCE, cache: false, now: () => T0 });
}

describe('static key formats', () => {
  it('a static JWKS', async () => {
    const verifier = build({ issuer: ISSUER, jwks: { keys: [p256.publicJwk, rsa.publicJwk] } });
    await verifier.verify(await mintToken({ key: p256 }));
    await verifier.verify(await mintToken({ key: rsa }));
    const { signatures, ...health } = verifier.health();
    expect(health).toEqual({
      ready: true,
      issuers: [{ issuer: ISSUER, source: 'static', ready: true, keys: 2 }],
    });
    // Two signatures checked, where depends on how busy the loop was (see signature-verification.test.ts).
    expect([signatures.eventLoop + signatures.threadPool, signatures.inFlight]).toEqual([2, 0]);
    await verifier.ready();
  });

  it('a PEM public key (SPKI)', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: rsa.publicPem });
    await verifier.verify(await mintToken({ key: rsa, kid: false }));
  });

  it('a key configured without an id verifies tokens that name any kid: there is no id to compare', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: rsa.publicPem });
    await verifier.verify(await mintToken({ key: rsa, kid: 'rsa-2026-01' }));
    const other = build({ issuer: ISSUER, publicKey: [rsa.publicPem, p256.publicJwk] });
    // A key that has an id still only matches its own id.
    await expectAuthError(other.verify(await mintToken({ key: p256, kid: 'other' })), 'unknown_key');
  });

  it('a JWK object, whose kid then selects it', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: p256.publicJwk });
    await verifier.verify(await mintToken({ key: p256 }));
    await expectAuthError(verifier.verify(await mintToken({ key: p256, kid: 'other' })), 'unknown_key');
  });

  it('a KeyObject', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: p256.publicKey });
    await verifier.verify(await mintToken({ key: p256, kid: false }));
  });

  it('a CryptoKey', async () => {
    const cryptoKey = await webcrypto.subtle.importKey(
      'spki',
      p256.publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    );
    const verifier = build({ issuer: ISSUER, publicKey: cryptoKey });
    await verifier.verify(await mintToken({ key: p256, kid: false }));
  });

  it('several public keys: each one verifies its own tokens', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: [rsa.publicPem, p256.publicKey, p384.publicJwk] });
    await verifier.verify(await mintToken({ key: rsa, kid: false }));
    await verifier.verify(await mintToken({ key: p256, kid: false }));
    await verifier.verify(await mintToken({ key: p384 }));
    expect(verifier.health().issuers[0]?.keys).toBe(3);
  });
});

describe('key material refused at construction', () => {
  it('a private key PEM given as publicKey', () => {
    const pem = p256.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expectConfigError(() => build({ issuer: ISSUER, publicKey: pem }), 'issuers[0].publicKey');
  });

  it('a private RSA key PEM (PKCS#1) given in a list of public keys', () => {
    const pem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expectConfigError(() => build({ issuer: ISSUER, publicKey: [p256.publicPem, pem] }), 'publicKey[1]');
  });

  it('a private KeyObject given as publicKey', () => {
    expectConfigError(() => build({ issuer: ISSUER, publicKey: p256.privateKey }), 'issuers[0].publicKey');
  });

  it('a private JWK given as publicKey or in a static JWKS', () => {
    const jwk = { ...p256.privateKey.export({ format: 'jwk' }), kid: 'private' };
    const asKey = expectConfigError(() => build({ issuer: ISSUER, publicKey: jwk }), 'issuers[0].publicKey');
    expect(asKey.message).toContain('private');
    expect(asKey.message).not.toContain(String(jwk.d));
    expectConfigError(() => build({ issuer: ISSUER, jwks: { keys: [jwk] } }), 'issuers[0].jwks.keys[0]');
  });

  it('a symmetric (oct) JWK given as publicKey', () => {
    const jwk = createSecretKey(createSecret()).export({ format: 'jwk' });
    const error = expectConfigError(() => build({ issuer: ISSUER, publicKey: jwk }), 'publicKey');
    expect(error.message).toContain('symmetric');
  });

  it('RSA keys under 2048 bits, in every format', () => {
    const weak = createIssuerKeys('RS256', { kid: 'weak', modulusLength: 1024 });
    for (const publicKey of [weak.publicPem, weak.publicKey, weak.publicJwk]) {
      const error = expectConfigError(() => build({ issuer: ISSUER, publicKey }), 'publicKey');
      expect(error.message).toContain('2048');
    }
    expectConfigError(() => build({ issuer: ISSUER, jwks: { keys: [weak.publicJwk] } }), 'jwks.keys[0]');
  });

  it.each<[string, IssuerOptions, string]>([
    ['garbage PEM', { issuer: ISSUER, publicKey: 'not a key' }, 'issuers[0].publicKey'],
    ['an empty JWKS', { issuer: ISSUER, jwks: { keys: [] } }, 'issuers[0].jwks'],
    ['a JWKS key with a numeric kid', { issuer: ISSUER, jwks: { keys: [{ kty: 'EC', kid: 7 }] } }, 'kid'],
    [
      'remote settings on static keys',
      { issuer: ISSUER, jwks: { keys: [{}] }, cooldown: 5 } as never,
      'cooldown',
    ],
    ['two key sources', { issuer: ISSUER, jwks: { keys: [{}] }, publicKey: 'x' } as never, 'issuers[0]'],
    ['no key source', { issuer: ISSUER } as never, 'issuers[0]'],
  ])('%s', (_name, issuer, option) => {
    expectConfigError(() => build(issuer), option);
  });

  it('an encryption key (use: enc) in a static JWKS', () => {
    const error = expectConfigError(
      () => build({ issuer: ISSUER, jwks: { keys: [{ ...p256.publicJwk, use: 'enc' }] } }),
      'issuers[0].jwks.keys[0]',
    );
    expect(error.message).toContain('not a signing key');
  });

  it('a key that fits none of the allowed algorithms', () => {
    const error = expectConfigError(
      () => build({ issuer: ISSUER, publicKey: p256.publicPem, algorithms: ['RS256'] }),
      'issuers[0].publicKey',
    );
    expect(error.message).toContain('RS256');
  });
});

describe('algorithm confusion and downgrade', () => {
  it('an HS256 token signed with the RSA public key PEM as HMAC secret is refused', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: rsa.publicPem });
    const forged = await mintToken({
      key: new TextEncoder().encode(rsa.publicPem),
      alg: 'HS256',
      kid: false,
    });
    const error = await expectAuthError(verifier.verify(forged), 'unsupported_algorithm');
    expect(error.status).toBe(401);
  });

  it('an HS256 token with the JWK kid of the RSA key is refused too', async () => {
    const verifier = build({ issuer: ISSUER, jwks: { keys: [rsa.publicJwk] } });
    const forged = await mintToken({
      key: new TextEncoder().encode(JSON.stringify(rsa.publicJwk)),
      alg: 'HS256',
      kid: rsa.kid,
    });
    await expectAuthError(verifier.verify(forged), 'unsupported_algorithm');
  });

  it('HS algorithms cannot be allowed for public keys', () => {
    const error = expectConfigError(
      () => build({ issuer: ISSUER, publicKey: rsa.publicPem, algorithms: ['RS256', 'HS256'] as never }),
      'issuers[0].algorithms[1]',
    );
    expect(error.message).toContain('algorithm confusion');
  });

  it.each(['none', 'None', 'NONE'])('alg %s is refused', async (alg) => {
    const verifier = build({ issuer: ISSUER, publicKey: p256.publicKey });
    await expectAuthError(verifier.verify(unsignedToken({ alg, typ: 'JWT' })), 'unsupported_algorithm');
  });

  it('"none" cannot be configured', () => {
    expectConfigError(
      () => build({ issuer: ISSUER, publicKey: p256.publicKey, algorithms: ['none'] as never }),
      'issuers[0].algorithms[0]',
    );
  });

  it('an ES256 key cannot verify an ES384 token', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: p256.publicKey });
    await expectAuthError(verifier.verify(await mintToken({ key: p384, kid: false })), 'unknown_key');
    // Even with a header that claims ES384 over an ES256 signature by the configured key.
    const relabelled = await mintToken({ key: p256.privateKey, alg: 'ES256', kid: false });
    const [, payload, signature] = relabelled.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES384' })).toString('base64url');
    await expectAuthError(verifier.verify(`${header}.${payload}.${signature}`), 'unknown_key');
  });

  it("a token signed with issuer A's key but claiming issuer B is checked with B's keys", async () => {
    const issuerB = 'https://billing.internal';
    const verifier = build([
      { issuer: ISSUER, publicKey: p256.publicKey },
      { issuer: issuerB, publicKey: p256b.publicKey },
    ]);
    await verifier.verify(await mintToken({ key: p256, kid: false }));
    const claimingB = await mintToken({ key: p256, kid: false, claims: { iss: issuerB } });
    await expectAuthError(verifier.verify(claimingB), 'invalid_signature');
  });

  it("a JWK's alg narrows the key: an RS256 JWK cannot verify PS256", async () => {
    const narrowed = build({ issuer: ISSUER, publicKey: rsa.publicJwk });
    const ps256 = await mintToken({ key: rsa.privateKey, alg: 'PS256', kid: rsa.kid });
    await expectAuthError(narrowed.verify(ps256), 'unknown_key');

    // The same key without alg verifies it: the narrowing comes from alg.
    const { alg: _alg, ...anyRsa } = rsa.publicJwk;
    await build({ issuer: ISSUER, publicKey: anyRsa }).verify(ps256);
  });

  it("the issuer's algorithms narrow every key", async () => {
    const verifier = build({ issuer: ISSUER, publicKey: rsa.publicPem, algorithms: ['PS256'] });
    await verifier.verify(await mintToken({ key: rsa.privateKey, alg: 'PS256' }));
    await expectAuthError(
      verifier.verify(await mintToken({ key: rsa, kid: false })),
      'unsupported_algorithm',
    );
  });
});

describe('shared secrets', () => {
  it('verify HS256 tokens with an explicit algorithm list', async () => {
    const secret = createSecret(32);
    const verifier = build({ issuer: ISSUER, secret, algorithms: ['HS256'] });
    await verifier.verify(await mintToken({ key: secret, alg: 'HS256' }));
    await expectAuthError(
      verifier.verify(await mintToken({ key: createSecret(32), alg: 'HS256' })),
      'invalid_signature',
    );
  });

  it('accept a string secret and a secret KeyObject', async () => {
    const text = 'a-shared-secret-of-32-characters';
    await build({ issuer: ISSUER, secret: text, algorithms: ['HS256'] }).verify(
      await mintToken({ key: new TextEncoder().encode(text), alg: 'HS256' }),
    );
    const secret = createSecret(48);
    await build({ issuer: ISSUER, secret: createSecretKey(secret), algorithms: ['HS384'] }).verify(
      await mintToken({ key: secret, alg: 'HS384' }),
    );
  });

  it('need an explicit algorithms list', () => {
    const error = expectConfigError(
      () => build({ issuer: ISSUER, secret: createSecret(32) } as never),
      'issuers[0].algorithms',
    );
    expect(error.message).toContain("algorithms: ['HS256']");
  });

  it.each([
    ['HS256', 31],
    ['HS384', 47],
    ['HS512', 63],
  ] as const)('%s needs a secret of at least its hash size (%i bytes refused)', (alg, bytes) => {
    const error = expectConfigError(
      () => build({ issuer: ISSUER, secret: createSecret(bytes), algorithms: [alg] }),
      'issuers[0].secret',
    );
    expect(error.message).toContain(String(bytes + 1));
  });

  it('refuse asymmetric algorithms', () => {
    expectConfigError(
      () => build({ issuer: ISSUER, secret: createSecret(32), algorithms: ['HS256', 'RS256'] as never }),
      'issuers[0].algorithms[1]',
    );
  });

  it('refuse an asymmetric KeyObject or something that is not a secret', () => {
    expectConfigError(
      () => build({ issuer: ISSUER, secret: p256.publicKey, algorithms: ['HS256'] }),
      'issuers[0].secret',
    );
    expectConfigError(
      () => build({ issuer: ISSUER, secret: 42 as never, algorithms: ['HS256'] }),
      'issuers[0].secret',
    );
  });

  it('a secret issuer refuses tokens signed with an asymmetric algorithm', async () => {
    const verifier = build({ issuer: ISSUER, secret: createSecret(32), algorithms: ['HS256'] });
    await expectAuthError(verifier.verify(await mintToken({ key: p256 })), 'unsupported_algorithm');
  });
});

describe('kid selection', () => {
  it("the token's kid picks the key, and only that key is tried", async () => {
    const verifier = build({ issuer: ISSUER, jwks: { keys: [p256.publicJwk, p256b.publicJwk] } });
    await verifier.verify(await mintToken({ key: p256b }));
    // Signed by ec-a but naming ec-b: ec-a is never tried.
    await expectAuthError(
      verifier.verify(await mintToken({ key: p256, kid: p256b.kid })),
      'invalid_signature',
    );
    await expectAuthError(verifier.verify(await mintToken({ key: p256, kid: 'ec-c' })), 'unknown_key');
  });

  it('a token without kid tries each key of its algorithm', async () => {
    const verifier = build({ issuer: ISSUER, jwks: { keys: [p256.publicJwk, p256b.publicJwk] } });
    await verifier.verify(await mintToken({ key: p256, kid: false }));
    await verifier.verify(await mintToken({ key: p256b, kid: false }));
    const stranger = createIssuerKeys('ES256');
    await expectAuthError(
      verifier.verify(await mintToken({ key: stranger, kid: false })),
      'invalid_signature',
    );
  });
});

describe('signature failures that are not a bad signature', () => {
  it('an unknown critical header is an unsupported token', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: p256.publicKey });
    const token = unsignedToken(
      { alg: 'ES256', crit: ['urn:example:x'], 'urn:example:x': 1 },
      defaultClaims(),
      'AAAA',
    );
    await expectAuthError(verifier.verify(token), 'unsupported_token');
  });

  it('a malformed crit header is a malformed token', async () => {
    const verifier = build({ issuer: ISSUER, publicKey: p256.publicKey });
    const token = unsignedToken({ alg: 'ES256', crit: 'exp' }, defaultClaims(), 'AAAA');
    await expectAuthError(verifier.verify(token), 'malformed_token');
  });
});
