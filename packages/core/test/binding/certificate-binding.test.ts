import { afterEach, describe, expect, it } from 'vitest';
import { type AuthContext, AuthError, type Verifier } from '../../src/index.js';
import { certificateThumbprint } from '../../src/protocol.js';
import { expectAuthError, expectConfigError } from '../support/auth-errors.js';
import {
  createTestCertificateAuthority,
  type Outcome,
  startServer,
  type TestCertificate,
  type TestServer,
  type TestServerOptions,
} from '../support/tls-server.js';
import { bearer, createFixture } from '../support/verifier-fixture.js';

const ca = createTestCertificateAuthority({ name: 'Mesh CA' });
const client = ca.issue({ uris: ['spiffe://prod.example/ns/orders/sa/api'] });
const otherClient = ca.issue({ uris: ['spiffe://prod.example/ns/orders/sa/api'] });
// RFC 8705 §2.2: the binding does not depend on the certificate chaining to a trusted CA.
const unknownCa = createTestCertificateAuthority({ name: 'Self-managed CA' });
const selfManaged = unknownCa.issue({ commonName: 'orders' });

const servers: TestServer<unknown>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** An HTTPS server (trusting `ca`) whose requests the verifier authenticates. */
async function serve(
  verifier: Verifier,
  options: Partial<TestServerOptions> = {},
): Promise<TestServer<AuthContext | undefined>> {
  const server = await startServer({ ca, ...options }, (req) => verifier.authenticate(req));
  servers.push(server);
  return server;
}

/** Sends `token` as a bearer token, presenting `cert` when given. */
function send(
  server: TestServer<AuthContext | undefined>,
  token: string,
  cert?: TestCertificate,
): Promise<Outcome<AuthContext | undefined>> {
  return server.call({ headers: bearer(token).headers, ...(cert === undefined ? {} : { client: cert }) });
}

function rejection(outcome: Outcome<unknown>): AuthError {
  expect(outcome.error, 'expected a rejection').toBeInstanceOf(AuthError);
  return outcome.error as AuthError;
}

const bound = (cert: TestCertificate) => ({ cnf: { 'x5t#S256': cert.thumbprint } });

describe('certificate-bound tokens (RFC 8705 §3)', () => {
  it('accepts a bound token over a connection with that client certificate', async () => {
    const { verifier, sign } = await createFixture();
    const server = await serve(verifier);
    const { value: auth } = await send(server, await sign(bound(client)), client);
    expect(auth?.caller).toBe('orders');
    expect(auth?.claims.cnf).toEqual({ 'x5t#S256': client.thumbprint });
  });

  it('accepts the certificate whatever CA issued it: the handshake proved the key', async () => {
    const { verifier, sign } = await createFixture();
    const server = await serve(verifier);
    expect((await send(server, await sign(bound(selfManaged)), selfManaged)).value?.caller).toBe('orders');
  });

  it('refuses a bound token presented with another certificate: 401 certificate_mismatch', async () => {
    const { verifier, sign } = await createFixture();
    const server = await serve(verifier);
    const error = rejection(await send(server, await sign(bound(client)), otherClient));
    expect(error).toMatchObject({ code: 'certificate_mismatch', status: 401, scheme: 'Bearer' });
    expect(error.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="token is bound to another client certificate"',
    );
  });

  it('refuses a bound token presented without a client certificate, over TLS or plain HTTP', async () => {
    const { verifier, sign } = await createFixture();
    const token = await sign(bound(client));
    const expected = {
      code: 'certificate_mismatch',
      description: 'certificate-bound token presented without a client certificate',
    };
    expect(rejection(await send(await serve(verifier), token))).toMatchObject(expected);
    expect(rejection(await send(await serve(verifier, { requestCert: false }), token, client))).toMatchObject(
      expected,
    );
    expect(rejection(await send(await serve(verifier, { ca: false }), token))).toMatchObject(expected);
  });

  it('checks the binding on every request, also when the signature comes from the cache', async () => {
    const { verifier, sign, events } = await createFixture();
    const server = await serve(verifier);
    const token = await sign(bound(client));
    expect((await send(server, token, client)).value).toBeDefined();
    expect(rejection(await send(server, token, otherClient)).code).toBe('certificate_mismatch');
    expect(rejection(await send(server, token)).code).toBe('certificate_mismatch');
    expect((await send(server, token, client)).value).toBeDefined();
    expect(
      events.map((event) => (event.type === 'accepted' ? `accepted cached=${event.cached}` : event.type)),
    ).toEqual(['accepted cached=false', 'rejected', 'rejected', 'accepted cached=true']);
  });

  it('refuses a bound token verified without a request', async () => {
    const { verifier, sign } = await createFixture();
    const error = await expectAuthError(verifier.verify(await sign(bound(client))), 'certificate_mismatch');
    expect(error.description).toBe('certificate-bound token presented without a client certificate');
  });

  it('accepts unbound tokens unless certificateBinding is required', async () => {
    const fixture = await createFixture();
    expect((await send(await serve(fixture.verifier), await fixture.sign(), client)).value).toBeDefined();
    const strict = fixture.with({ certificateBinding: 'required' });
    const server = await serve(strict);
    expect(rejection(await send(server, await fixture.sign(), client))).toMatchObject({
      code: 'certificate_mismatch',
      description: 'token is not bound to a client certificate',
    });
    expect(rejection(await send(server, await fixture.sign({ cnf: {} }), client)).description).toBe(
      'token is not bound to a client certificate',
    );
    expect((await send(server, await fixture.sign(bound(client)), client)).value).toBeDefined();
  });

  it.each([
    ['a string', 'x5t'],
    ['an array', [client.thumbprint]],
    ['null', null],
    ['an object with a numeric x5t#S256', { 'x5t#S256': 5 }],
    ['an object with an empty x5t#S256', { 'x5t#S256': '' }],
  ])('refuses a cnf claim that is %s: 401 invalid_claim cnf', async (_name, cnf) => {
    const { verifier, sign } = await createFixture();
    const error = await expectAuthError(verifier.authenticate(bearer(await sign({ cnf }))), 'invalid_claim');
    expect(error.claim).toBe('cnf');
  });

  it('validates the certificateBinding option', async () => {
    const fixture = await createFixture();
    expect(
      expectConfigError(() => fixture.with({ certificateBinding: 'yes' as 'required' }), 'certificateBinding')
        .message,
    ).toMatch(/'optional'.*'required'/);
    expect(() => fixture.with({ certificateBinding: 'optional' })).not.toThrow();
  });
});

describe('certificateThumbprint', () => {
  it('is the base64url SHA-256 of the DER certificate, from an X509Certificate, PEM or DER', () => {
    const expected = Buffer.from(client.x509.fingerprint256.replaceAll(':', ''), 'hex').toString('base64url');
    expect(certificateThumbprint(client.x509)).toBe(expected);
    expect(certificateThumbprint(client.cert)).toBe(expected);
    expect(certificateThumbprint(client.x509.raw)).toBe(expected);
    expect(certificateThumbprint(new Uint8Array(client.x509.raw))).toBe(expected);
    expect(expected).not.toMatch(/[=+/]/);
  });

  it('throws a TypeError for anything that is not a certificate', () => {
    expect(() => certificateThumbprint('not a certificate')).toThrow(TypeError);
    expect(() => certificateThumbprint(42 as unknown as string)).toThrow(TypeError);
  });
});
