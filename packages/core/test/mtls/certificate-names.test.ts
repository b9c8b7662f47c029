import { describe, expect, it } from 'vitest';
import { commonNames, parseSubjectAltNames } from '../../src/mtls/certificate-names.js';
import { createTestCertificateAuthority } from '../support/tls-server.js';

const ca = createTestCertificateAuthority();

describe('parseSubjectAltNames', () => {
  it('splits the names Node prints, in order, with their types', () => {
    const { x509 } = ca.issue({
      uris: ['spiffe://prod.example/ns/billing/sa/api'],
      dnsNames: ['billing.internal', 'billing'],
      ipAddresses: ['10.0.0.1'],
    });
    expect(parseSubjectAltNames(x509.subjectAltName)).toEqual([
      { type: 'URI', value: 'spiffe://prod.example/ns/billing/sa/api' },
      { type: 'DNS', value: 'billing.internal' },
      { type: 'DNS', value: 'billing' },
      { type: 'IP Address', value: '10.0.0.1' },
    ]);
  });

  it('decodes values Node quotes, so a comma inside a name cannot forge another name', () => {
    const { x509 } = ca.issue({ uris: ['urn:x, URI:spiffe://prod/evil', 'https://a/"b"\\c\''] });
    expect(x509.subjectAltName).toContain('"');
    expect(parseSubjectAltNames(x509.subjectAltName)).toEqual([
      { type: 'URI', value: 'urn:x, URI:spiffe://prod/evil' },
      { type: 'URI', value: 'https://a/"b"\\c\'' },
    ]);
  });

  it('reads no names from nothing, and refuses text of another shape', () => {
    expect(parseSubjectAltNames(undefined)).toEqual([]);
    expect(parseSubjectAltNames('')).toEqual([]);
    expect(parseSubjectAltNames('nonsense')).toBeUndefined();
    expect(parseSubjectAltNames('URI:"unterminated')).toBeUndefined();
    expect(parseSubjectAltNames('URI:"bad \\q escape"')).toBeUndefined();
    expect(parseSubjectAltNames('URI:"a"b')).toBeUndefined();
  });
});

describe('commonNames', () => {
  it('reads the common name of a certificate, unescaping what Node escapes', () => {
    expect(commonNames(ca.issue({ commonName: 'billing' }).x509.subject)).toEqual(['billing']);
    const special = 'billing, inc. + "eu" \\ é 🚀';
    expect(commonNames(ca.issue({ commonName: special }).x509.subject)).toEqual([special]);
    expect(commonNames(ca.issue({ commonName: 'tab\there' }).x509.subject)).toEqual(['tab\there']);
  });

  it('reads every CN of multi-line and multi-valued subjects', () => {
    expect(commonNames('C=US\nO=Acme\\, Inc\nCN=a')).toEqual(['a']);
    expect(commonNames('CN=a + O=b\nCN=c')).toEqual(['a', 'c']);
    expect(commonNames('O=no common name')).toEqual([]);
    expect(commonNames(undefined)).toEqual([]);
  });

  it('refuses malformed escapes and bytes that are not UTF-8', () => {
    expect(commonNames('CN=trailing\\')).toBeUndefined();
    expect(commonNames('CN=\\FF')).toBeUndefined();
    expect(commonNames('no equals sign')).toBeUndefined();
  });
});
