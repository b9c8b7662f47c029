import { describe, expect, it } from 'vitest';
import type { IssuerOptions } from '../../src/keys/issuer-options.js';
import { createVerifier, type Verifier } from '../../src/verifier/verifier.js';
import { expectConfigError } from '../support/auth-errors.js';
import { AUDIENCE, ISSUER } from '../support/tokens.js';

// Construction only: a fetch that fails the test if anything is ever requested.
const noFetch: typeof globalThis.fetch = () => {
  throw new Error('construction must not fetch');
};

function build(issuer: IssuerOptions, remoteKeys?: { allowInsecureHttp?: boolean }): Verifier {
  return createVerifier({
    issuers: issuer,
    audience: AUDIENCE,
    fetch: noFetch,
    ...(remoteKeys === undefined ? {} : { remoteKeys }),
  });
}

describe('where keys may be fetched from', () => {
  it.each([
    'https://auth.internal/.well-known/jwks.json',
    'http://127.0.0.1:8080/jwks',
    'http://127.10.20.30/jwks',
    'http://localhost:3000/jwks',
    'http://[::1]:3000/jwks',
  ])('accepts %s', (jwksUri) => {
    const verifier = build({ issuer: ISSUER, jwksUri });
    expect(verifier.health().issuers[0]).toMatchObject({ source: 'remote', ready: false });
  });

  it('accepts a URL object', () => {
    build({ issuer: ISSUER, jwksUri: new URL('https://auth.internal/jwks') });
  });

  it.each([
    'http://example.com/jwks',
    'http://10.0.0.7/jwks',
    'ftp://127.0.0.1/jwks',
    'file:///etc/jwks.json',
    'not a url',
  ])('refuses %s with an AuthConfigError naming jwksUri', (jwksUri) => {
    const error = expectConfigError(() => build({ issuer: ISSUER, jwksUri }), 'issuers[0].jwksUri');
    expect(error.message).not.toContain('undefined');
  });

  it('refuses plain http to a DNS name that merely starts with "127."', () => {
    // 127.0.0.1.nip.io is a public DNS name: it is not loopback, whatever it resolves to.
    expectConfigError(() => build({ issuer: ISSUER, jwksUri: 'http://127.0.0.1.nip.io/jwks' }), 'jwksUri');
  });

  it('allowInsecureHttp allows http elsewhere, per issuer or for every issuer', () => {
    build({ issuer: ISSUER, jwksUri: 'http://keys.mesh.local/jwks', allowInsecureHttp: true });
    build({ issuer: ISSUER, jwksUri: 'http://keys.mesh.local/jwks' }, { allowInsecureHttp: true });
    // The issuer's own setting wins over the default.
    expectConfigError(
      () =>
        build(
          { issuer: ISSUER, jwksUri: 'http://keys.mesh.local/jwks', allowInsecureHttp: false },
          { allowInsecureHttp: true },
        ),
      'issuers[0].jwksUri',
    );
  });

  it('discovery applies the same rule to the issuer URL', () => {
    expectConfigError(
      () => build({ issuer: 'http://auth.example.com', discovery: true }),
      'issuers[0].issuer',
    );
    expectConfigError(() => build({ issuer: 'orders', discovery: true }), 'issuers[0].issuer');
    build({ issuer: 'http://127.0.0.1:9/tenant', discovery: true });
    build({ issuer: 'http://auth.example.com', discovery: true, allowInsecureHttp: true });
    expectConfigError(
      () => build({ issuer: 'https://auth.example.com', discovery: false as unknown as true }),
      'issuers[0].discovery',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['cacheMaxAge 0', { cacheMaxAge: 0 }, 'cacheMaxAge'],
    ['timeout "soon"', { timeout: 'soon' }, 'timeout'],
    ['maxKeys 0', { maxKeys: 0 }, 'maxKeys'],
    ['maxResponseBytes 1.5', { maxResponseBytes: 1.5 }, 'maxResponseBytes'],
    ['fetch "x"', { fetch: 'x' }, 'fetch'],
    ['unknownKidInterval -1', { unknownKidInterval: -1 }, 'unknownKidInterval'],
    ['unknownKidFetchesPerMinute -1', { unknownKidFetchesPerMinute: -1 }, 'unknownKidFetchesPerMinute'],
    ['unknownKidFetchesPerMinute 2.5', { unknownKidFetchesPerMinute: 2.5 }, 'unknownKidFetchesPerMinute'],
    ['unknownKidFetchesPerMinute 601', { unknownKidFetchesPerMinute: 601 }, 'unknownKidFetchesPerMinute'],
    ['an unknown option', { maxAge: 60 }, 'maxAge'],
  ])('refuses remote settings with %s', (_name, settings, option) => {
    expectConfigError(
      () => build({ issuer: ISSUER, jwksUri: 'https://auth.internal/jwks', ...settings } as IssuerOptions),
      `issuers[0].${option}`,
    );
  });

  it('accepts cooldown 0 and maxStale 0', () => {
    build({ issuer: ISSUER, jwksUri: 'https://auth.internal/jwks', cooldown: 0, maxStale: 0 });
  });

  it('accepts unknownKidInterval 0 and unknownKidFetchesPerMinute 0, per issuer or in remoteKeys', () => {
    build({
      issuer: ISSUER,
      jwksUri: 'https://auth.internal/jwks',
      unknownKidInterval: 0,
      unknownKidFetchesPerMinute: 0,
    });
    createVerifier({
      issuers: { issuer: ISSUER, jwksUri: 'https://auth.internal/jwks' },
      audience: AUDIENCE,
      fetch: noFetch,
      remoteKeys: { unknownKidInterval: '2s', unknownKidFetchesPerMinute: 30 },
    });
  });

  it('says what a bad unknown-kid budget should be, and suggests the name of a mistyped one', () => {
    const bad = expectConfigError(
      () =>
        build({ issuer: ISSUER, jwksUri: 'https://auth.internal/jwks', unknownKidFetchesPerMinute: 1000 }),
      'issuers[0].unknownKidFetchesPerMinute',
    );
    expect(bad.message).toContain('expected a whole number from 0 to 600 (default 10)');
    const typo = expectConfigError(
      () =>
        build({
          issuer: ISSUER,
          jwksUri: 'https://auth.internal/jwks',
          unknownKidIntervall: '1s',
        } as IssuerOptions),
      'issuers[0].unknownKidIntervall',
    );
    expect(typo.message).toContain('did you mean unknownKidInterval?');
  });
});
