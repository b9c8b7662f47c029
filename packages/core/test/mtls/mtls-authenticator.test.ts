import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuthContext,
  AuthError,
  type AuthEvent,
  anyOf,
  createMtlsAuthenticator,
  type MtlsAuthenticatorOptions,
} from '../../src/index.js';
import { expectConfigError } from '../support/auth-errors.js';
import {
  createTestCertificateAuthority,
  type Outcome,
  startServer,
  type TestCertificate,
  type TestServer,
  type TestServerOptions,
} from '../support/tls-server.js';

const ca = createTestCertificateAuthority({ name: 'Mesh CA' });
const BILLING = 'spiffe://prod.example/ns/billing/sa/api';
const billing = ca.issue({ uris: [BILLING] });

const servers: TestServer<unknown>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Starts an HTTPS server trusting `ca` whose requests go through a new mTLS authenticator. */
async function serve(
  options: MtlsAuthenticatorOptions = {},
  server: Partial<TestServerOptions> = {},
): Promise<TestServer<AuthContext | undefined>> {
  const mtls = createMtlsAuthenticator(options);
  const started = await startServer({ ca, ...server }, (req) => mtls.authenticate(req));
  servers.push(started);
  return started;
}

/** The identity an authenticator with `options` reads from `client`'s certificate. */
async function identityOf(client: TestCertificate, options: MtlsAuthenticatorOptions = {}): Promise<string> {
  const { value, error } = await (await serve(options)).call({ client });
  if (error !== undefined) throw error;
  return value?.subject as string;
}

function rejection(outcome: Outcome<unknown>): AuthError {
  expect(outcome.error, 'expected a rejection').toBeInstanceOf(AuthError);
  return outcome.error as AuthError;
}

describe('createMtlsAuthenticator: identities', () => {
  it('authenticates a verified client certificate as its SPIFFE ID, kind mtls', async () => {
    const server = await serve();
    const { value: auth } = await server.call({ client: billing });
    expect(auth?.toJSON()).toMatchObject({
      kind: 'mtls',
      issuer: 'mtls',
      subject: BILLING,
      caller: BILLING,
      permissions: [],
    });
    expect(auth?.expiresAt).toBe(Math.floor(Date.parse(billing.x509.validTo) / 1000));
    expect(auth?.claims).toMatchObject({
      'x5t#S256': billing.thumbprint,
      serialNumber: billing.x509.serialNumber,
      certificateIssuer: 'CN=Mesh CA',
      notAfter: auth?.expiresAt,
      notBefore: Math.floor(Date.parse(billing.x509.validFrom) / 1000),
    });
  });

  it('accepts SPIFFE IDs of the listed trust domains only', async () => {
    const other = ca.issue({ uris: ['spiffe://staging.example/ns/billing/sa/api'] });
    const server = await serve({ trustDomains: ['prod.example'] });
    expect((await server.call({ client: billing })).value?.subject).toBe(BILLING);
    expect(rejection(await server.call({ client: other }))).toMatchObject({
      code: 'untrusted_certificate',
      status: 401,
      description: 'client certificate from an untrusted trust domain',
    });
  });

  it('refuses a certificate with several URI names, none, or one that is not a SPIFFE ID', async () => {
    const server = await serve();
    const twice = ca.issue({ uris: [BILLING, 'spiffe://prod.example/ns/orders/sa/api'] });
    const none = ca.issue({ dnsNames: ['billing.internal'] });
    const https = ca.issue({ uris: ['https://billing.internal'] });
    const bad = ca.issue({ uris: ['spiffe://prod.example/ns/../sa'] });
    expect(rejection(await server.call({ client: twice })).description).toBe(
      'client certificate has several URI names',
    );
    expect(rejection(await server.call({ client: none })).description).toBe(
      'client certificate has no URI name',
    );
    expect(rejection(await server.call({ client: https })).description).toBe(
      'client certificate URI is not a SPIFFE ID',
    );
    expect(rejection(await server.call({ client: bad })).description).toBe(
      'client certificate URI is not a SPIFFE ID',
    );
  });

  it("reads any one URI with identity: 'uri', quoted values included", async () => {
    expect(await identityOf(ca.issue({ uris: ['urn:billing,eu'] }), { identity: 'uri' })).toBe(
      'urn:billing,eu',
    );
  });

  it("reads the one DNS name with identity: 'dns' and refuses several (choose with a function)", async () => {
    const server = await serve({ identity: 'dns' });
    const one = ca.issue({ dnsNames: ['billing.internal'], uris: [BILLING] });
    const two = ca.issue({ dnsNames: ['billing.internal', 'billing'] });
    expect((await server.call({ client: one })).value?.subject).toBe('billing.internal');
    expect(rejection(await server.call({ client: two })).description).toBe(
      'client certificate has several DNS names',
    );
    const first = (cert: X509Certificate) => cert.subjectAltName?.match(/DNS:([^,]+)/)?.[1];
    expect(await identityOf(two, { identity: first })).toBe('billing.internal');
  });

  it("reads the subject common name with identity: 'cn'", async () => {
    expect(await identityOf(ca.issue({ commonName: 'billing, eu' }), { identity: 'cn' })).toBe('billing, eu');
    const server = await serve({ identity: 'cn' });
    expect(rejection(await server.call({ client: billing })).description).toBe(
      'client certificate has no common name',
    );
  });

  it('takes the identity a custom function returns, and refuses when it returns undefined', async () => {
    const rule = (cert: X509Certificate) =>
      cert.issuer === 'CN=Mesh CA' ? `mesh:${cert.serialNumber}` : undefined;
    expect(await identityOf(billing, { identity: rule })).toBe(`mesh:${billing.x509.serialNumber}`);
    const server = await serve({ identity: () => undefined });
    expect(rejection(await server.call({ client: billing }))).toMatchObject({
      code: 'untrusted_certificate',
      description: 'client certificate does not name an accepted identity',
    });
  });
});

describe('createMtlsAuthenticator: rejections', () => {
  it('refuses a certificate from a CA the server does not trust, saying so', async () => {
    const other = createTestCertificateAuthority({ name: 'Other CA' });
    const error = rejection(await (await serve()).call({ client: other.issue({ uris: [BILLING] }) }));
    expect(error).toMatchObject({ code: 'untrusted_certificate', status: 401, scheme: 'mTLS' });
    expect(error.headers['WWW-Authenticate']).toBe(
      'mTLS error="invalid_token", error_description="client certificate issuer not trusted"',
    );
    expect(error.cause).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('refuses an expired certificate', async () => {
    const expired = ca.issue({
      uris: [BILLING],
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(rejection(await (await serve()).call({ client: expired })).description).toBe(
      'client certificate expired',
    );
  });

  it('refuses a certificate that expired after the handshake, by its own clock', async () => {
    const later = Date.parse(billing.x509.validTo) + 1000;
    expect(rejection(await (await serve({ now: () => later })).call({ client: billing })).description).toBe(
      'client certificate expired',
    );
    const earlier = Date.parse(billing.x509.validFrom) - 1000;
    expect(rejection(await (await serve({ now: () => earlier })).call({ client: billing })).description).toBe(
      'client certificate not yet valid',
    );
  });

  it('asks for a certificate when the client sent none, or resolves undefined in optional mode', async () => {
    const server = await serve({ realm: 'payments' });
    const error = rejection(await server.call());
    expect(error).toMatchObject({ code: 'client_certificate_required', status: 401 });
    expect(error.headers['WWW-Authenticate']).toBe('mTLS realm="payments"');
    const mtls = createMtlsAuthenticator();
    const optional = await startServer({ ca }, (req) => mtls.authenticate(req, { optional: true }));
    servers.push(optional);
    expect(await optional.call()).toEqual({ value: undefined });
  });

  it('asks for a certificate when the server did not request one', async () => {
    const server = await serve({}, { requestCert: false });
    expect(rejection(await server.call({ client: billing })).code).toBe('client_certificate_required');
  });

  it('asks for a certificate over plain HTTP', async () => {
    const server = await serve({}, { ca: false });
    expect(rejection(await server.call()).code).toBe('client_certificate_required');
  });

  it('answers 403 caller_not_allowed to an identity outside callers', async () => {
    const server = await serve({ callers: ['spiffe://prod.example/ns/orders/*'] });
    expect(rejection(await server.call({ client: billing }))).toMatchObject({
      code: 'caller_not_allowed',
      status: 403,
    });
    const orders = ca.issue({ uris: ['spiffe://prod.example/ns/orders/sa/api'] });
    expect((await server.call({ client: orders })).value?.caller).toBe(
      'spiffe://prod.example/ns/orders/sa/api',
    );
  });
});

describe('createMtlsAuthenticator: permissions', () => {
  it('grants permissions and roles per identity and per pattern, merged', async () => {
    const server = await serve({
      roles: { reader: ['invoices:read'] },
      grants: {
        [BILLING]: { permissions: ['orders:read'] },
        'spiffe://prod.example/ns/billing/*': { permissions: ['orders:list'], roles: ['reader'] },
        'spiffe://prod.example/ns/orders/*': { permissions: ['*'] },
      },
    });
    const { value: auth } = await server.call({ client: billing });
    expect(auth?.permissions).toEqual(['orders:list', 'orders:read', 'invoices:read']); // with the role's
    expect(auth?.roles).toEqual(['reader']);
    expect(auth?.can('invoices:read')).toBe(true);
    expect(auth?.can('orders:delete')).toBe(false);
    const other = ca.issue({ uris: ['spiffe://prod.example/ns/shipping/sa/api'] });
    expect((await server.call({ client: other })).value?.permissions).toEqual([]);
  });
});

describe('createMtlsAuthenticator: events and composition', () => {
  it('reports accepted and rejected requests with the identity, never the certificate', async () => {
    const events: AuthEvent[] = [];
    const server = await serve({ onEvent: (event) => events.push(event), realm: 'payments' });
    await server.call({ client: billing });
    await server.call();
    expect(events).toEqual([
      { type: 'accepted', cached: false, kind: 'mtls', issuer: 'mtls', subject: BILLING, caller: BILLING },
      {
        type: 'rejected',
        code: 'client_certificate_required',
        status: 401,
        description: 'client certificate required',
        kind: 'mtls',
        issuer: 'mtls',
      },
    ]);
  });

  it('composes with anyOf: no certificate lets the next authenticator answer, once', async () => {
    const events: AuthEvent[] = [];
    const mtls = createMtlsAuthenticator({ onEvent: (event) => events.push(event) });
    const fallback = { authenticate: async () => undefined };
    const either = anyOf(mtls, fallback);
    const server = await startServer({ ca }, (req) => either.authenticate(req));
    servers.push(server);
    expect((await server.call({ client: billing })).value?.kind).toBe('mtls');
    expect(rejection(await server.call()).code).toBe('missing_token');
    expect(events.map((event) => event.type)).toEqual(['accepted', 'rejected']);
  });

  it('takes the certificate from certificateFromProxy instead of the socket, when configured', async () => {
    const server = await serve(
      { certificateFromProxy: (req) => decodeURIComponent(String(req.headers['x-client-cert'] ?? '')) },
      { ca: false },
    );
    const header = { 'x-client-cert': encodeURIComponent(billing.cert) };
    expect((await server.call({ headers: header })).value?.caller).toBe(BILLING);
    expect(rejection(await server.call()).code).toBe('client_certificate_required');
    expect(rejection(await server.call({ headers: { 'x-client-cert': 'garbage' } }))).toMatchObject({
      code: 'untrusted_certificate',
      description: 'malformed client certificate',
    });
    const fromObject = await serve(
      { certificateFromProxy: () => new X509Certificate(billing.cert) },
      { ca: false },
    );
    expect((await fromObject.call()).value?.caller).toBe(BILLING);
  });
});

describe('createMtlsAuthenticator: options', () => {
  it('validates options when it is built, naming the option and what to change', () => {
    const build = (options: unknown) => () => createMtlsAuthenticator(options as MtlsAuthenticatorOptions);
    expect(expectConfigError(build({ identity: 'email' }), 'identity').message).toMatch(/'spiffe'/);
    expect(
      expectConfigError(build({ identity: 'dns', trustDomains: ['a'] }), 'trustDomains').message,
    ).toMatch(/only to identity: 'spiffe'/);
    expectConfigError(build({ trustDomains: [] }), 'trustDomains');
    expectConfigError(build({ trustDomains: ['spiffe://prod'] }), 'trustDomains[0]');
    expectConfigError(build({ callers: ['spiffe://prod/*/x'] }), 'callers[0]');
    expectConfigError(build({ grants: [] }), 'grants');
    expectConfigError(
      build({ grants: { [BILLING]: { permissions: ['not a permission'] } } }),
      /permissions\[0\]/,
    );
    expectConfigError(build({ grants: { [BILLING]: { permissions: 'orders:read' } } }), /permissions$/);
    expectConfigError(build({ grants: { [BILLING]: { scopes: [] } } }), /scopes$/);
    expectConfigError(build({ grants: { [BILLING]: null } }), /grants\[/);
    expect(expectConfigError(build({ grants: { [BILLING]: { roles: ['admin'] } } })).message).toMatch(
      /not in the roles option/,
    );
    expectConfigError(build({ grants: { [BILLING]: { roles: [1] } } }), /roles$/);
    expectConfigError(build({ issuer: '' }), 'issuer');
    expectConfigError(build({ realm: 5 }), 'realm');
    expectConfigError(build({ onEvent: 'log' }), 'onEvent');
    expectConfigError(build({ certificateFromProxy: true }), 'certificateFromProxy');
    expectConfigError(build({ trustDomain: ['prod'] }), 'trustDomain');
    expectConfigError(build(null), 'options');
  });

  it('lets a bug in a custom identity function surface as itself', async () => {
    const server = await serve({
      identity: () => {
        throw new RangeError('bug');
      },
    });
    expect((await server.call({ client: billing })).error).toBeInstanceOf(RangeError);
    const wrongType = await serve({ identity: () => 42 as unknown as string });
    expect((await wrongType.call({ client: billing })).error).toBeInstanceOf(TypeError);
  });
});
