import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BROKEN_TOKEN_KINDS,
  createTestIssuer,
  generateTestKey,
  type JwksServer,
  startJwksServer,
  toJwks,
} from '../src/index.js';

const verifyOptions = { issuer: 'https://issuer.test', audience: 'test-service', algorithms: ['ES256'] };

describe('generateTestKey', () => {
  it('makes a public JWK with kid, alg and use', async () => {
    const key = await generateTestKey({ alg: 'EdDSA', kid: 'k1' });
    expect(key.publicJwk).toMatchObject({ kid: 'k1', alg: 'EdDSA', use: 'sig', kty: 'OKP' });
    expect(key.publicJwk).not.toHaveProperty('d');
    expect(toJwks([key]).keys).toHaveLength(1);
  });
});

describe('TestIssuer', () => {
  it('signs valid service tokens with every standard claim', async () => {
    const issuer = await createTestIssuer();
    const token = await issuer.sign({ permissions: ['orders:read'] });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet(issuer.jwks()),
      verifyOptions,
    );
    expect(protectedHeader.kid).toBe(issuer.currentKey.kid);
    expect(payload).toMatchObject({
      sub: 'test-caller',
      source: 'microservice',
      permissions: ['orders:read'],
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(typeof payload.jti).toBe('string');
  });

  it('removes claims set to undefined and honours the clock', async () => {
    const issuer = await createTestIssuer({ now: () => 1_000_000_000_000 });
    const payload = decodeJwt(await issuer.sign({ jti: undefined }));
    expect(payload.jti).toBeUndefined();
    expect(payload.iat).toBe(1_000_000_000);
  });

  it('mints user tokens without marker', async () => {
    const issuer = await createTestIssuer({ marker: false });
    expect(decodeJwt(await issuer.sign()).source).toBeUndefined();
  });

  it.each([
    ['expired', 'ERR_JWT_EXPIRED'],
    ['notYetValid', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['wrongAudience', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['otherIssuer', 'ERR_JWKS_NO_MATCHING_KEY'],
    ['unknownKey', 'ERR_JWKS_NO_MATCHING_KEY'],
    ['badSignature', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ['algNone', 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['hs256', 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['missingExp', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['malformed', 'ERR_JWS_INVALID'],
  ] as const)('%s tokens are rejected by jose (%s)', async (kind, code) => {
    const issuer = await createTestIssuer();
    const token = await issuer.broken(kind);
    await expect(
      jwtVerify(token, createLocalJWKSet(issuer.jwks()), { ...verifyOptions, requiredClaims: ['exp'] }),
    ).rejects.toMatchObject({ code });
  });

  it('mints every broken kind with the documented defect', async () => {
    const issuer = await createTestIssuer();
    const tokens = Object.fromEntries(
      await Promise.all(BROKEN_TOKEN_KINDS.map(async (kind) => [kind, await issuer.broken(kind)] as const)),
    );
    expect(decodeJwt(tokens.multipleAudiences!).aud).toEqual(['test-service', 'some-other-service']);
    expect(decodeJwt(tokens.missingMarker!).source).toBeUndefined();
    const long = decodeJwt(tokens.lifetimeTooLong!);
    expect(long.exp! - long.iat!).toBe(30 * 86_400);
    expect(decodeProtectedHeader(tokens.algNone!).alg).toBe('none');
    expect(decodeJwt(tokens.otherIssuer!).iss).toBe('https://other-issuer.test');
  });

  it('rotates keys, keeping or dropping the previous ones', async () => {
    const issuer = await createTestIssuer();
    const first = issuer.currentKey;
    const second = await issuer.rotate();
    expect(issuer.keys.map((key) => key.kid)).toEqual([first.kid, second.kid]);
    await issuer.rotate({ dropPrevious: true });
    expect(issuer.keys).toHaveLength(1);
    issuer.unpublish(issuer.currentKey.kid);
    expect(issuer.jwks().keys).toEqual([]);
  });
});

describe('startJwksServer', () => {
  let server: JwksServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the issuer keys, follows rotation and counts requests', async () => {
    const issuer = await createTestIssuer();
    server = await startJwksServer(issuer);
    expect(server.jwksUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
    const first = await (await fetch(server.jwksUri)).json();
    expect(first).toEqual(issuer.jwks());
    await server.rotate();
    const token = await issuer.sign();
    await jwtVerify(token, createRemoteJWKSet(new URL(server.jwksUri)), verifyOptions);
    expect(server.requests).toBe(2);
  });

  it('answers errors on demand and comes back up', async () => {
    const issuer = await createTestIssuer();
    server = await startJwksServer(issuer.jwks(), { path: '/keys' });
    expect((await fetch(`${server.url}/other`)).status).toBe(404);
    server.fail();
    expect((await fetch(`${server.url}/keys`)).status).toBe(500);
    server.fail(503);
    expect((await fetch(`${server.url}/keys`)).status).toBe(503);
    server.down();
    await expect(fetch(`${server.url}/keys`)).rejects.toThrow();
    server.up();
    expect((await fetch(`${server.url}/keys`)).status).toBe(200);
    server.setKeys({ keys: [] });
    expect(await (await fetch(`${server.url}/keys`)).json()).toEqual({ keys: [] });
  });

  it('refuses rotate() without an issuer', async () => {
    server = await startJwksServer(() => ({ keys: [] }));
    await expect(server.rotate()).rejects.toThrow(TypeError);
  });
});
