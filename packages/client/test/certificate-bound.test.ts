import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type AuthError, createVerifier } from '@org/auth-core';
import { createTestCertificateAuthority } from '@org/auth-testing';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createSelfSignedSource, generateSigningKey } from '../src/index.js';

const ca = createTestCertificateAuthority({ name: 'Mesh CA' });
const client = ca.issue({ uris: ['spiffe://prod.example/ns/billing/sa/api'] });
const JKT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

describe('createSelfSignedSource: bound tokens', () => {
  it('binds every token to the service certificate with cnf.x5t#S256 (RFC 8705)', async () => {
    const key = await generateSigningKey();
    for (const certificate of [client.cert, client.x509]) {
      const source = createSelfSignedSource({ issuer: 'billing', key, certificate });
      const payload = decodeJwt((await source.getToken({ audience: 'orders' })).accessToken);
      expect(payload.cnf).toEqual({ 'x5t#S256': client.thumbprint });
    }
  });

  it('puts confirmation members in cnf as given, merged with the certificate', async () => {
    const key = await generateSigningKey();
    const dpop = createSelfSignedSource({ issuer: 'billing', key, confirmation: { jkt: JKT } });
    expect(decodeJwt((await dpop.getToken({ audience: 'orders' })).accessToken).cnf).toEqual({ jkt: JKT });
    const both = createSelfSignedSource({
      issuer: 'billing',
      key,
      certificate: client.cert,
      confirmation: { jkt: JKT, 'x5t#S256': client.thumbprint },
    });
    expect(decodeJwt((await both.getToken({ audience: 'orders' })).accessToken).cnf).toEqual({
      jkt: JKT,
      'x5t#S256': client.thumbprint,
    });
  });

  it('refuses cnf in claims together with certificate or confirmation, and malformed values', async () => {
    const key = await generateSigningKey();
    const make = (options: object) => () => createSelfSignedSource({ issuer: 'billing', key, ...options });
    expect(make({ certificate: client.cert, claims: { cnf: {} } })).toThrow(/^claims\.cnf: /);
    expect(make({ confirmation: { jkt: JKT }, claims: { cnf: { jkt: JKT } } })).toThrow(/^claims\.cnf: /);
    expect(make({ claims: { cnf: { jkt: JKT } } })).not.toThrow();
    expect(make({ certificate: 'not a certificate' })).toThrow(/^certificate: /);
    expect(make({ confirmation: {} })).toThrow(/^confirmation: /);
    expect(make({ confirmation: 'x' })).toThrow(/^confirmation: /);
    expect(make({ confirmation: { jkt: 'short' } })).toThrow(/^confirmation\.jkt: .*43 base64url/);
    expect(make({ confirmation: { x5t: JKT } })).toThrow(/^confirmation\.x5t: unknown member/);
    expect(make({ certificate: client.cert, confirmation: { 'x5t#S256': JKT } })).toThrow(
      /^confirmation\.x5t#S256: differs/,
    );
  });
});

describe('bound self-signed tokens at an @org/auth-core receiver over mutual TLS', () => {
  it('are accepted with the bound certificate and refused with another one', async () => {
    const key = await generateSigningKey();
    const source = createSelfSignedSource({ issuer: 'billing', key, certificate: client.cert });
    const verifier = createVerifier({
      issuers: { issuer: 'billing', jwks: { keys: [key.publicJwk!] } },
      audience: 'orders',
      certificateBinding: 'required',
    });
    const serverCert = ca.issue({ ipAddresses: ['127.0.0.1'], usage: 'server' });
    const server = createServer(
      {
        cert: serverCert.cert,
        key: serverCert.key,
        ca: ca.cert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        verifier.authenticate(req).then(
          (auth) => res.end(`accepted ${auth?.caller}`),
          (error: AuthError) => res.writeHead(error.status).end(error.code),
        );
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const { accessToken } = await source.getToken({ audience: 'orders' });
    const call = async (presented: { cert: string; key: string }) => {
      const req = request({
        host: '127.0.0.1',
        port,
        agent: false,
        ca: ca.cert,
        cert: presented.cert,
        key: presented.key,
        headers: { authorization: `Bearer ${accessToken}` },
      });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      let body = '';
      for await (const chunk of res) body += chunk;
      return `${res.statusCode} ${body}`;
    };
    try {
      expect(await call(client)).toBe('200 accepted billing');
      expect(await call(ca.issue({ uris: ['spiffe://prod.example/ns/billing/sa/api'] }))).toBe(
        '401 certificate_mismatch',
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
