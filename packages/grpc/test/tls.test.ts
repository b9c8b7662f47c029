import { status } from '@grpc/grpc-js';
import { token, verifierOptions } from '@org/auth-conformance/helpers';
import { anyOf, createMtlsAuthenticator, createVerifier } from '@org/auth-core';
import { createTestCertificateAuthority, type TestCertificate } from '@org/auth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBoundToken, requireCaller, requirePermission, serviceAuth } from '../src/index.js';
import { METHODS, type RunningServer, SEES_CERTIFICATES, type ServerTls, startServer } from './harness.js';
import { ordersImplementation } from './orders-service.js';

const BILLING = 'spiffe://prod.example/ns/billing/sa/api';
const ca = createTestCertificateAuthority();
const serverTls: ServerTls = {
  ca: ca.cert,
  ...ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' }),
};
const billing: TestCertificate = ca.issue({ uris: [BILLING] });
const other: TestCertificate = ca.issue({ uris: ['spiffe://prod.example/ns/shipping/sa/api'] });
const as = (certificate: TestCertificate) => ({ ca: ca.cert, cert: certificate.cert, key: certificate.key });
const UPLOAD = [{ item: 'a' }];

const mtls = () =>
  createMtlsAuthenticator({
    trustDomains: ['prod.example'],
    grants: { [BILLING]: { permissions: ['orders:read'] } },
  });

if (SEES_CERTIFICATES) {
  describe('mTLS: callers identified by their client certificate', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const auth = serviceAuth({ authenticator: mtls() });
      server = await startServer(
        auth.protect(ordersImplementation(), {
          ListOrders: [requireCaller('spiffe://prod.example/ns/billing/*'), requirePermission('orders:read')],
          UploadOrders: requirePermission('orders:create'),
        }),
        serverTls,
      );
    });
    afterAll(() => server?.close());

    it.each(METHODS.filter((method) => method !== 'UploadOrders'))(
      '%s: the certificate is the caller',
      async (method) => {
        const client = server.client(as(billing));
        const outcome = await client.call(method, client.metadata({}), UPLOAD);
        expect(outcome.code).toBe(status.OK);
        expect(outcome.messages[0]).toMatchObject({
          subject: BILLING,
          caller: BILLING,
          kind: 'mtls',
          issuer: 'mtls',
        });
      },
    );

    it('guards apply to certificate callers: PERMISSION_DENIED with the mTLS challenge', async () => {
      const client = server.client(as(billing));
      const outcome = await client.call('UploadOrders', client.metadata({}), UPLOAD);
      expect(outcome).toMatchObject({ code: status.PERMISSION_DENIED, authCode: 'insufficient_permission' });
      expect(outcome.challenge).toMatch(/^mTLS error="insufficient_scope"/);
      const shipping = server.client(as(other));
      expect(await shipping.call('ListOrders', shipping.metadata({}))).toMatchObject({
        code: status.PERMISSION_DENIED,
        authCode: 'caller_not_allowed',
      });
    });
  });
}

describe('mTLS without a client certificate', () => {
  it('a plaintext call is UNAUTHENTICATED client_certificate_required', async () => {
    const server = await startServer(serviceAuth({ authenticator: mtls() }).protect(ordersImplementation()));
    try {
      const client = server.client();
      const outcome = await client.call('CreateOrder', client.metadata({}));
      expect(outcome).toMatchObject({
        code: status.UNAUTHENTICATED,
        authCode: 'client_certificate_required',
      });
      expect(outcome.challenge).toBe('mTLS');
    } finally {
      await server.close();
    }
  });

  if (!SEES_CERTIFICATES) {
    it('grpc-js before 1.14 shows no certificate: mTLS fails closed', async () => {
      const server = await startServer(
        serviceAuth({ authenticator: mtls() }).protect(ordersImplementation()),
        serverTls,
      );
      try {
        const client = server.client(as(billing));
        const outcome = await client.call('CreateOrder', client.metadata({}));
        expect(outcome).toMatchObject({
          code: status.UNAUTHENTICATED,
          authCode: 'client_certificate_required',
        });
      } finally {
        await server.close();
      }
    });
  }
});

if (SEES_CERTIFICATES) {
  describe('tokens and certificates together', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const verifier = createVerifier(verifierOptions());
      const auth = serviceAuth({ authenticator: anyOf(verifier, mtls()) });
      server = await startServer(
        auth.protect(ordersImplementation(), { SyncOrders: requireBoundToken('certificate') }),
        serverTls,
      );
    });
    afterAll(() => server?.close());

    const bound = (certificate: TestCertificate) => token({ cnf: { 'x5t#S256': certificate.thumbprint } });

    it('a token wins over the certificate; without a token the certificate is the caller', async () => {
      const client = server.client(as(billing));
      const withToken = await client.call('CreateOrder', client.metadata(token()));
      expect(withToken.messages[0]).toMatchObject({ caller: 'orders', kind: 'service' });
      const without = await client.call('CreateOrder', client.metadata({}));
      expect(without.messages[0]).toMatchObject({ caller: BILLING, kind: 'mtls' });
    });

    it('a certificate-bound token is accepted from its certificate only', async () => {
      const client = server.client(as(billing));
      expect(await client.call('CreateOrder', client.metadata(bound(billing)))).toMatchObject({
        code: status.OK,
      });
      // anyOf: the stolen token is refused, and the thief is only what its own certificate says.
      const thief = server.client(as(other));
      const stolen = await thief.call('CreateOrder', thief.metadata(bound(billing)));
      expect(stolen.messages[0]).toMatchObject({
        caller: 'spiffe://prod.example/ns/shipping/sa/api',
        kind: 'mtls',
      });
    });

    it('with tokens only, a bound token from another certificate is UNAUTHENTICATED certificate_mismatch', async () => {
      const tokensOnly = await startServer(
        serviceAuth(verifierOptions()).protect(ordersImplementation()),
        serverTls,
      );
      try {
        const thief = tokensOnly.client(as(other));
        const stolen = await thief.call('CreateOrder', thief.metadata(bound(billing)));
        expect(stolen).toMatchObject({ code: status.UNAUTHENTICATED, authCode: 'certificate_mismatch' });
        const owner = tokensOnly.client(as(billing));
        expect(await owner.call('CreateOrder', owner.metadata(bound(billing)))).toMatchObject({
          code: status.OK,
        });
      } finally {
        await tokensOnly.close();
      }
    });

    it('requireBoundToken(certificate) admits bound tokens and refuses bearer ones', async () => {
      const client = server.client(as(billing));
      const ok = await client.call('SyncOrders', client.metadata(bound(billing)), UPLOAD);
      expect(ok).toMatchObject({ code: status.OK });
      expect(ok.messages[0]).toMatchObject({ caller: 'orders' });
      const bearer = await client.call('SyncOrders', client.metadata(token()), UPLOAD);
      expect(bearer).toMatchObject({ code: status.PERMISSION_DENIED, authCode: 'token_kind_not_allowed' });
    });
  });
}

describe('certificate-bound tokens without a certificate', () => {
  it('are refused over plaintext with certificate_mismatch', async () => {
    const server = await startServer(serviceAuth(verifierOptions()).protect(ordersImplementation()));
    try {
      const client = server.client();
      const outcome = await client.call(
        'CreateOrder',
        client.metadata(token({ cnf: { 'x5t#S256': billing.thumbprint } })),
      );
      expect(outcome).toMatchObject({ code: status.UNAUTHENTICATED, authCode: 'certificate_mismatch' });
    } finally {
      await server.close();
    }
  });
});
