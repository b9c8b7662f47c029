import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthEvent } from '../../src/events.js';
import { createVerifier, type Verifier } from '../../src/verifier/verifier.js';
import { expectAuthError } from '../support/auth-errors.js';
import { type JwksServer, startJwksServer } from '../support/jwks-server.js';
import { AUDIENCE, createIssuerKeys, type IssuerKeys, mintToken, T0 } from '../support/tokens.js';

let server: JwksServer;
let keys: IssuerKeys;
let events: AuthEvent[];
let fetched: string[];
let t: number;

beforeAll(() => {
  keys = createIssuerKeys('ES256', { kid: 'disc-1' });
});

beforeEach(async () => {
  t = T0;
  server = await startJwksServer();
  server.setJson('/tenant/jwks', { keys: [keys.publicJwk] });
  events = [];
  fetched = [];
});

afterEach(async () => {
  await server.close();
});

/** A verifier discovering the keys of `issuer`; every URL it fetches is recorded. */
function discoveringVerifier(issuer: string): Verifier {
  return createVerifier({
    issuers: { issuer, discovery: true, cooldown: '30s' },
    audience: AUDIENCE,
    cache: false,
    now: () => t,
    onEvent: (event) => events.push(event),
    fetch: (input, init) => {
      fetched.push(String(input));
      return globalThis.fetch(input, init);
    },
  });
}

function failureReason(): string | undefined {
  const failure = events.findLast((event) => event.type === 'keys_fetch_failed');
  return failure?.type === 'keys_fetch_failed' ? failure.reason : undefined;
}

describe('discovery', () => {
  it('reads jwks_uri from the OpenID configuration under the issuer path', async () => {
    const issuer = server.url('/tenant');
    server.setJson('/tenant/.well-known/openid-configuration', {
      issuer,
      jwks_uri: server.url('/tenant/jwks'),
    });
    const verifier = discoveringVerifier(issuer);
    await verifier.verify(await mintToken({ key: keys, claims: { iss: issuer } }));
    expect(server.log).toEqual(['/tenant/.well-known/openid-configuration', '/tenant/jwks']);
  });

  it('works for an issuer without a path', async () => {
    const issuer = server.origin;
    server.setJson('/.well-known/openid-configuration', { issuer, jwks_uri: server.url('/tenant/jwks') });
    const verifier = discoveringVerifier(issuer);
    await verifier.ready();
    expect(server.log).toEqual(['/.well-known/openid-configuration', '/tenant/jwks']);
  });

  it('falls back to RFC 8414 authorization server metadata on 404', async () => {
    const issuer = server.url('/tenant');
    server.setJson('/.well-known/oauth-authorization-server/tenant', {
      issuer,
      jwks_uri: server.url('/tenant/jwks'),
    });
    const verifier = discoveringVerifier(issuer);
    await verifier.verify(await mintToken({ key: keys, claims: { iss: issuer } }));
    expect(server.log).toEqual([
      '/tenant/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/tenant',
      '/tenant/jwks',
    ]);
  });

  it('does not fall back when the OpenID configuration fails otherwise', async () => {
    const issuer = server.url('/tenant');
    server.setMode({ status: 500 });
    const verifier = discoveringVerifier(issuer);
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(server.log).toEqual(['/tenant/.well-known/openid-configuration']);
    expect(failureReason()).toBe('answered HTTP 500');
  });

  it('refuses metadata that names another issuer (503, nothing else fetched)', async () => {
    const issuer = server.url('/tenant');
    server.setJson('/tenant/.well-known/openid-configuration', {
      issuer: server.url('/other'),
      jwks_uri: server.url('/tenant/jwks'),
    });
    const verifier = discoveringVerifier(issuer);
    const error = await expectAuthError(
      verifier.verify(await mintToken({ key: keys, claims: { iss: issuer } })),
      'keys_unavailable',
    );
    expect(error.status).toBe(503);
    expect(failureReason()).toBe('metadata names another issuer');
    expect(server.requests('/tenant/jwks')).toBe(0);
  });

  it.each([
    ['http://example.com/jwks', 'metadata jwks_uri is not https'],
    ['ftp://127.0.0.1/jwks', 'metadata jwks_uri is not https'],
    ['not a url', 'metadata has an invalid jwks_uri'],
    [undefined, 'metadata has no jwks_uri'],
  ])('refuses jwks_uri %s without fetching it', async (jwksUri, reason) => {
    const issuer = server.url('/tenant');
    server.setJson('/tenant/.well-known/openid-configuration', {
      issuer,
      ...(jwksUri === undefined ? {} : { jwks_uri: jwksUri }),
    });
    const verifier = discoveringVerifier(issuer);
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(failureReason()).toBe(reason);
    expect(fetched).toEqual([server.url('/tenant/.well-known/openid-configuration')]);
  });

  it('a metadata document that is not an object fails the fetch', async () => {
    const issuer = server.url('/tenant');
    server.setJson('/tenant/.well-known/openid-configuration', null);
    const verifier = discoveringVerifier(issuer);
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(failureReason()).toBe('metadata names another issuer');
  });

  it('ready() retries a failed discovery once the back-off has passed', async () => {
    const issuer = server.url('/tenant');
    const verifier = discoveringVerifier(issuer);
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    server.setJson('/tenant/.well-known/openid-configuration', {
      issuer,
      jwks_uri: server.url('/tenant/jwks'),
    });
    // Within the back-off (about 1 s after one failure), ready() does not ask again.
    await expectAuthError(verifier.ready(), 'keys_unavailable');
    expect(server.requests('/tenant/jwks')).toBe(0);
    t += 1000;
    await verifier.ready();
    expect(server.requests('/tenant/jwks')).toBe(1);
  });
});
