import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestCertificateAuthority, type TestCertificate } from '../src/index.js';

const ca = createTestCertificateAuthority({ name: 'Mesh CA' });
const serverCert = ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });

interface Seen {
  readonly authorized: boolean;
  readonly authorizationError: string | null;
  readonly subjectAltName: string | null;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

/** An HTTPS server on loopback that asks for a client certificate and reports what TLS made of it. */
async function startServer(): Promise<number> {
  const server = createServer(
    { cert: serverCert.cert, key: serverCert.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      // Node reports an OpenSSL code as a string here, although its types say Error.
      const error = socket.authorizationError as unknown;
      const seen: Seen = {
        authorized: socket.authorized,
        authorizationError: error === null || error === undefined ? null : String(error),
        subjectAltName: socket.getPeerX509Certificate()?.subjectAltName ?? null,
      };
      res.setHeader('content-type', 'application/json').end(JSON.stringify(seen));
    },
  );
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Calls the server over TLS, trusting the test CA, presenting `client` when given. */
async function call(port: number, client?: TestCertificate): Promise<Seen> {
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/',
    ca: ca.cert,
    agent: false,
    ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
  });
  req.end();
  const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream];
  let body = '';
  for await (const chunk of res) body += chunk;
  return JSON.parse(body) as Seen;
}

describe('createTestCertificateAuthority', () => {
  it('makes a CA certificate with the CA flag and a leaf it has signed', () => {
    const leaf = ca.issue({ commonName: 'billing' });
    expect(ca.x509.ca).toBe(true);
    expect(ca.x509.subject).toBe('CN=Mesh CA');
    expect(leaf.x509.ca).toBe(false);
    expect(leaf.x509.subject).toBe('CN=billing');
    expect(leaf.x509.issuer).toBe('CN=Mesh CA');
    expect(leaf.x509.checkIssued(ca.x509)).toBe(true);
    expect(leaf.x509.verify(ca.x509.publicKey)).toBe(true);
    expect(new X509Certificate(leaf.cert).fingerprint256).toBe(leaf.x509.fingerprint256);
  });

  it('writes URI, DNS and IP subject alternative names, quoting the ones Node must quote', () => {
    const leaf = ca.issue({
      uris: ['spiffe://prod.example/ns/billing/sa/api', 'urn:a,b'],
      dnsNames: ['billing.internal'],
      ipAddresses: ['10.0.0.1', '::1', '::ffff:127.0.0.1'],
    });
    expect(leaf.x509.subjectAltName).toBe(
      'URI:spiffe://prod.example/ns/billing/sa/api, URI:"urn:a\\u002cb", DNS:billing.internal, ' +
        'IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:7F00:1',
    );
    expect(leaf.x509.subject || '').toBe(''); // no subject: the SAN names it
  });

  it('sets the extended key usage from usage', () => {
    expect(ca.issue({ commonName: 'c' }).x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(ca.issue({ commonName: 's', usage: 'server' }).x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(ca.issue({ commonName: 'b', usage: 'both' }).x509.keyUsage).toEqual([
      '1.3.6.1.5.5.7.3.1',
      '1.3.6.1.5.5.7.3.2',
    ]);
  });

  it('gives every certificate its own serial and the validity asked for', () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2060-06-30T12:00:00Z'); // GeneralizedTime from 2050 on
    const a = ca.issue({ commonName: 'a', notBefore, notAfter });
    const b = ca.issue({ commonName: 'a' });
    expect(a.x509.serialNumber).not.toBe(b.x509.serialNumber);
    expect(a.x509.serialNumber).toMatch(/^[0-9A-F]{32}$/);
    expect(new Date(a.x509.validFrom).toISOString()).toBe(notBefore.toISOString());
    expect(new Date(a.x509.validTo).toISOString()).toBe(notAfter.toISOString());
  });

  it('reports the SHA-256 thumbprint of the DER certificate in base64url', () => {
    const leaf = ca.issue({ commonName: 'a' });
    const hex = leaf.x509.fingerprint256.replaceAll(':', '');
    expect(leaf.thumbprint).toBe(Buffer.from(hex, 'hex').toString('base64url'));
  });

  it('refuses a leaf without any name, an invalid IP address or an unknown usage', () => {
    expect(() => ca.issue({})).toThrow(TypeError);
    expect(() => ca.issue({ ipAddresses: ['300.1.1.1'] })).toThrow(/not an IP address/);
    expect(() => ca.issue({ commonName: 'a', usage: 'email' as 'client' })).toThrow(/usage/);
    expect(() => ca.issue({ dnsNames: ['bücher.example'] })).toThrow(/ASCII/);
  });
});

describe('certificates in real Node TLS', () => {
  it('a client certificate from the trusted CA is authorized', async () => {
    const port = await startServer();
    const seen = await call(port, ca.issue({ uris: ['spiffe://prod.example/ns/billing/sa/api'] }));
    expect(seen).toEqual({
      authorized: true,
      authorizationError: null,
      subjectAltName: 'URI:spiffe://prod.example/ns/billing/sa/api',
    });
  });

  it('a client certificate from another CA is not authorized, with the reason', async () => {
    const port = await startServer();
    const other = createTestCertificateAuthority({ name: 'Other CA' });
    const seen = await call(port, other.issue({ commonName: 'intruder' }));
    expect(seen.authorized).toBe(false);
    expect(seen.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('an expired client certificate is not authorized: CERT_HAS_EXPIRED', async () => {
    const port = await startServer();
    const expired = ca.issue({
      commonName: 'old',
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const seen = await call(port, expired);
    expect(seen.authorized).toBe(false);
    expect(seen.authorizationError).toBe('CERT_HAS_EXPIRED');
  });

  it('without a client certificate the socket is not authorized', async () => {
    const port = await startServer();
    const seen = await call(port);
    expect(seen).toMatchObject({ authorized: false, subjectAltName: null });
  });
});
