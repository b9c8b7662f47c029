import { AuthError, createVerifier } from '@org/auth-core';
import { BROKEN_TOKEN_KINDS, type BrokenTokenKind, createTestIssuer } from '@org/auth-testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  createSelfSignedSource,
  generateSigningKey,
  importSigningKey,
} from '../src/index.js';

describe('createSelfSignedSource', () => {
  it('mints service tokens that the core verifier accepts', async () => {
    const key = await generateSigningKey();
    const source = createSelfSignedSource({ issuer: 'billing', key, permissions: ['orders:read'] });
    const verifier = createVerifier({
      issuers: { issuer: 'billing', jwks: { keys: [key.publicJwk!] } },
      audience: 'orders',
      services: { callers: ['billing'] },
    });
    const { accessToken, expiresAt } = await source.getToken({ audience: 'orders' });
    const auth = await verifier.verify(accessToken);
    expect(auth.kind).toBe('service');
    expect(auth.caller).toBe('billing');
    expect(auth.can('orders:read')).toBe(true);

    const payload = decodeJwt(accessToken);
    expect(payload).toMatchObject({ iss: 'billing', sub: 'billing', aud: 'orders', source: 'microservice' });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.nbf).toBe(payload.iat);
    expect(expiresAt).toBe(payload.exp! * 1000);
    expect(decodeProtectedHeader(accessToken)).toEqual({ alg: 'ES256', kid: key.kid, typ: 'JWT' });
  });

  it('gives every token a unique jti and honours subject, scope, claims and lifetime', async () => {
    const key = await generateSigningKey({ alg: 'EdDSA' });
    const source = createSelfSignedSource({
      issuer: 'https://billing.internal',
      subject: 'billing',
      key,
      lifetime: '30s',
      scope: 'orders:read',
      claims: { tenant: 'acme' },
      now: () => 1_800_000_000_000,
    });
    const a = decodeJwt((await source.getToken({ audience: 'orders' })).accessToken);
    const b = decodeJwt((await source.getToken({ audience: 'orders', scope: 'orders:write' })).accessToken);
    expect(a.jti).not.toBe(b.jti);
    expect(a).toMatchObject({
      iss: 'https://billing.internal',
      sub: 'billing',
      scope: 'orders:read',
      tenant: 'acme',
    });
    expect(a.iat).toBe(1_800_000_000);
    expect(a.exp).toBe(1_800_000_030);
    expect(b.scope).toBe('orders:write');
  });

  it('validates options at construction, naming the option', async () => {
    const key = await generateSigningKey();
    const make = (options: object) => () => createSelfSignedSource({ issuer: 'billing', key, ...options });
    expect(make({ lifetime: '2h' })).toThrow(/^lifetime: .*allowLongLifetime/);
    expect(make({ lifetime: '2h', allowLongLifetime: true })).not.toThrow();
    expect(make({ lifetime: 'soon' })).toThrow(AuthConfigError);
    expect(make({ claims: { aud: 'x' } })).toThrow(/^claims\.aud:/);
    expect(make({ issuer: '' })).toThrow(/^issuer:/);
    expect(make({ key: 'pem' })).toThrow(/^key:/);
    expect(make({ permissions: 'orders:read' })).toThrow(/^permissions:/);
    const secret = await importSigningKey('x'.repeat(32), { alg: 'HS256', kid: 'shared' });
    expect(make({ key: secret })).toThrow(/^key: HS256 keys need allowSymmetric/);
    expect(make({ key: secret, allowSymmetric: true })).not.toThrow();
    await expect(
      createSelfSignedSource({ issuer: 'billing', key }).getToken({ audience: '' }),
    ).rejects.toThrow(/^audience:/);
  });

  it('signs HS256 only on explicit request, and core accepts it with the secret', async () => {
    // No kid: core matches a token naming a kid only against keys with that kid.
    const key = await importSigningKey('s'.repeat(32), { alg: 'HS256' });
    const source = createSelfSignedSource({ issuer: 'billing', key, allowSymmetric: true });
    const { accessToken } = await source.getToken({ audience: 'orders' });
    expect(decodeProtectedHeader(accessToken).alg).toBe('HS256');
    const verifier = createVerifier({
      issuers: { issuer: 'billing', secret: 's'.repeat(32), algorithms: ['HS256'] },
      audience: 'orders',
    });
    await expect(verifier.verify(accessToken)).resolves.toMatchObject({ kind: 'service' });
  });

  it('is rejected by core with the right code for the wrong audience or a longer lifetime', async () => {
    const key = await generateSigningKey();
    const verifier = createVerifier({
      issuers: { issuer: 'billing', publicKey: key.publicJwk! },
      audience: 'orders',
      maxLifetime: '1h',
    });
    const short = createSelfSignedSource({ issuer: 'billing', key });
    const long = createSelfSignedSource({ issuer: 'billing', key, lifetime: '2h', allowLongLifetime: true });
    await expect(
      verifier.verify((await short.getToken({ audience: 'payments' })).accessToken),
    ).rejects.toMatchObject({
      code: 'invalid_audience',
    });
    await expect(
      verifier.verify((await long.getToken({ audience: 'orders' })).accessToken),
    ).rejects.toMatchObject({
      code: 'lifetime_too_long',
    });
  });
});

// The test kit must not depend on core, so its broken tokens are checked against core here.
describe('@org/auth-testing broken tokens against @org/auth-core', () => {
  const expected: Record<BrokenTokenKind, string> = {
    expired: 'token_expired',
    notYetValid: 'token_not_active',
    wrongAudience: 'invalid_audience',
    multipleAudiences: 'invalid_audience',
    missingMarker: 'invalid_token_type',
    otherIssuer: 'invalid_issuer',
    unknownKey: 'unknown_key',
    badSignature: 'invalid_signature',
    algNone: 'unsupported_algorithm',
    hs256: 'unsupported_algorithm',
    missingExp: 'missing_claim',
    lifetimeTooLong: 'lifetime_too_long',
    malformed: 'malformed_token',
  };

  it.each(BROKEN_TOKEN_KINDS)('%s', async (kind) => {
    const issuer = await createTestIssuer({ audience: 'orders' });
    const verifier = createVerifier({
      issuers: { issuer: issuer.issuer, jwks: issuer.jwks() },
      audience: 'orders',
    });
    await expect(verifier.verify(await issuer.sign())).resolves.toBeDefined();
    const error = await verifier.verify(await issuer.broken(kind)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe(expected[kind]);
  });
});
