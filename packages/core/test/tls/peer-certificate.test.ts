import { describe, expect, it } from 'vitest';
import { spiffeTrustDomain } from '../../src/mtls/spiffe-id.js';
import { untrustedCertificate, verifiedPeerCertificate } from '../../src/tls/peer-certificate.js';

describe('untrustedCertificate', () => {
  it.each([
    ['CERT_HAS_EXPIRED', 'client certificate expired'],
    ['CERT_NOT_YET_VALID', 'client certificate not yet valid'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'client certificate issuer not trusted'],
    ['INVALID_PURPOSE', 'client certificate not meant for client authentication'],
    ['SOMETHING_NEW', 'client certificate not trusted'],
  ])('describes %s as "%s"', (code, description) => {
    expect(untrustedCertificate(code)).toMatchObject({ code: 'untrusted_certificate', description });
  });

  it('reads the code of an Error too, and says "not trusted" without any reason', () => {
    const error = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(untrustedCertificate(error).description).toBe('client certificate expired');
    expect(untrustedCertificate(new Error('?')).description).toBe('client certificate not trusted');
    expect(untrustedCertificate(null).description).toBe('client certificate not trusted');
    expect(untrustedCertificate(undefined).cause).toBeUndefined();
  });
});

describe('verifiedPeerCertificate', () => {
  it('finds no certificate without a socket, without TLS, or without one presented', () => {
    expect(verifiedPeerCertificate({ headers: {} })).toBeUndefined();
    expect(verifiedPeerCertificate({ headers: {}, socket: { encrypted: false } })).toBeUndefined();
    expect(verifiedPeerCertificate({ headers: {}, socket: { encrypted: true } })).toBeUndefined();
    const socket = { encrypted: true, authorized: false, getPeerX509Certificate: () => undefined };
    expect(verifiedPeerCertificate({ headers: {}, socket })).toBeUndefined();
  });
});

describe('spiffeTrustDomain', () => {
  it('returns the trust domain of a workload SPIFFE ID and refuses anything else', () => {
    expect(spiffeTrustDomain('spiffe://prod.example/ns/billing/sa/api')).toBe('prod.example');
    for (const bad of [
      'spiffe://prod.example',
      'spiffe://prod.example/',
      'spiffe://Prod.example/a',
      'spiffe://prod.example:8443/a',
      'spiffe://user@prod.example/a',
      'spiffe://prod.example/a//b',
      'spiffe://prod.example/a/.',
      'spiffe://prod.example/a?x=1',
      'spiffe://prod.example/a%20b',
      'SPIFFE://prod.example/a',
      `spiffe://prod.example/${'a'.repeat(2048)}`,
    ]) {
      expect(spiffeTrustDomain(bad), bad).toBeUndefined();
    }
  });
});
