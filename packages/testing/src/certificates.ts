import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  namedBits,
  octetString,
  oid,
  sequence,
  set,
  time,
  utf8String,
} from './der.js';
import { assertOptionKeys, optionNames } from './option-keys.js';

/** Options of {@link createTestCertificateAuthority}. */
export interface TestCertificateAuthorityOptions {
  /** The CA's subject common name. Default `'Test CA'`. */
  readonly name?: string;
  /** Start of validity. Default: one hour ago. */
  readonly notBefore?: Date;
  /** End of validity. Default: one year from now. */
  readonly notAfter?: Date;
}

/** What a certificate may be used for (its `extKeyUsage`): TLS client, TLS server, or both. */
export type CertificateUsage = 'client' | 'server' | 'both';

/** Options of {@link TestCertificateAuthority.issue}. Give at least a common name or one SAN. */
export interface IssueCertificateOptions {
  /** Subject common name (`CN`). Default: none. */
  readonly commonName?: string;
  /** URI subject alternative names, such as SPIFFE IDs (`spiffe://prod.example/ns/billing/sa/api`). */
  readonly uris?: readonly string[];
  /** DNS subject alternative names, such as `billing.internal` or `localhost`. */
  readonly dnsNames?: readonly string[];
  /** IP address subject alternative names (IPv4 or IPv6), such as `127.0.0.1`. */
  readonly ipAddresses?: readonly string[];
  /** Start of validity. Default: five minutes ago. */
  readonly notBefore?: Date;
  /** End of validity. Default: one day from now. Set it in the past for an expired certificate. */
  readonly notAfter?: Date;
  /** Extended key usage. Default `'client'`. */
  readonly usage?: CertificateUsage;
}

/** A certificate and its private key, as `tls`/`https` options take them. */
export interface TestCertificate {
  /** The certificate, PEM. */
  readonly cert: string;
  /** The private key (ECDSA P-256), PKCS#8 PEM. */
  readonly key: string;
  /** The certificate, parsed. */
  readonly x509: X509Certificate;
  /**
   * SHA-256 thumbprint of the DER certificate, base64url without padding: the `x5t#S256`
   * confirmation of a token bound to this certificate (RFC 8705 §3.1).
   */
  readonly thumbprint: string;
}

/** A certificate authority for tests; `cert` goes into a server's `ca` option. */
export interface TestCertificateAuthority extends TestCertificate {
  /**
   * Issues a leaf certificate signed by this CA (ECDSA P-256 with SHA-256, a random serial).
   * @throws {TypeError} without a common name or SAN, or for an invalid IP address
   */
  issue(options: IssueCertificateOptions): TestCertificate;
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

// RFC 5280 §4.2.1.3 bit numbers.
const DIGITAL_SIGNATURE = 0;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Signer {
  readonly name: Buffer;
  readonly privateKey: KeyObject;
  readonly keyId: Buffer;
}

/**
 * Creates a certificate authority that issues client and server certificates accepted by Node's
 * TLS, for testing mutual TLS without `openssl` or fixtures on disk. Keys are ECDSA P-256;
 * the CA has a critical `basicConstraints` (CA), `keyUsage` (keyCertSign, cRLSign) and key
 * identifiers; leaves get `keyUsage` digitalSignature, `extKeyUsage`, subject alternative names,
 * key identifiers and a random 128-bit serial.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:https';
 * import { createTestCertificateAuthority } from '@org/auth-testing';
 *
 * const ca = createTestCertificateAuthority({ name: 'Mesh CA' });
 * const server = ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
 * const client = ca.issue({ uris: ['spiffe://prod.example/ns/billing/sa/api'] });
 *
 * createServer({ cert: server.cert, key: server.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false }, handler);
 * await fetch('https://127.0.0.1:8443/', { dispatcher: new Agent({ connect: { ca: ca.cert, cert: client.cert, key: client.key } }) });
 * ```
 */
export function createTestCertificateAuthority(
  options: TestCertificateAuthorityOptions = {},
): TestCertificateAuthority {
  const now = Date.now();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = keyIdentifier(spki);
  assertOptionKeys(
    'createTestCertificateAuthority',
    options,
    optionNames<TestCertificateAuthorityOptions>({ name: true, notBefore: true, notAfter: true }),
  );
  const name = distinguishedName(options.name ?? 'Test CA');
  const der = certificate(
    {
      subject: name,
      spki,
      notBefore: options.notBefore ?? new Date(now - HOUR),
      notAfter: options.notAfter ?? new Date(now + 365 * DAY),
      extensions: [
        extension(OID.basicConstraints, true, sequence(boolean(true))),
        extension(OID.keyUsage, true, namedBits([KEY_CERT_SIGN, CRL_SIGN])),
        extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
      ],
    },
    { name, privateKey, keyId },
  );
  const signer: Signer = { name, privateKey, keyId };
  return {
    ...describeCertificate(der, privateKey),
    issue: (leaf) => issueLeaf(leaf, signer),
  };
}

const ISSUE_OPTIONS = optionNames<IssueCertificateOptions>({
  commonName: true,
  uris: true,
  dnsNames: true,
  ipAddresses: true,
  notBefore: true,
  notAfter: true,
  usage: true,
});

function issueLeaf(options: IssueCertificateOptions, issuer: Signer): TestCertificate {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('issue: expected options such as { commonName: "billing" }');
  }
  assertOptionKeys('issue', options, ISSUE_OPTIONS);
  const names = [
    ...(options.uris ?? []).map((uri) => implicitPrimitive(6, ascii(uri))),
    ...(options.dnsNames ?? []).map((dns) => implicitPrimitive(2, ascii(dns))),
    ...(options.ipAddresses ?? []).map((ip) => implicitPrimitive(7, ipBytes(ip))),
  ];
  if (options.commonName === undefined && names.length === 0) {
    throw new TypeError('issue: give a commonName or at least one of uris, dnsNames, ipAddresses');
  }
  const usage = options.usage ?? 'client';
  if (!['client', 'server', 'both'].includes(usage)) {
    throw new TypeError("issue: usage must be 'client', 'server' or 'both'");
  }
  const now = Date.now();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const subject = options.commonName === undefined ? sequence() : distinguishedName(options.commonName);
  const purposes = [
    ...(usage === 'client' ? [] : [oid(OID.serverAuth)]),
    ...(usage === 'server' ? [] : [oid(OID.clientAuth)]),
  ];
  const extensions = [
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE])),
    extension(OID.extKeyUsage, false, sequence(...purposes)),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
    extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, issuer.keyId))),
  ];
  if (names.length > 0) {
    // RFC 5280 §4.2.1.6: with an empty subject, the SAN extension must be critical.
    extensions.push(extension(OID.subjectAltName, options.commonName === undefined, sequence(...names)));
  }
  const der = certificate(
    {
      subject,
      spki,
      notBefore: options.notBefore ?? new Date(now - 5 * 60_000),
      notAfter: options.notAfter ?? new Date(now + DAY),
      extensions,
    },
    issuer,
  );
  return describeCertificate(der, privateKey);
}

interface CertificateFields {
  readonly subject: Buffer;
  readonly spki: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Buffer[];
}

/** Builds and signs a v3 certificate (RFC 5280 §4.1). */
function certificate(fields: CertificateFields, issuer: Signer): Buffer {
  if (!(fields.notBefore < fields.notAfter)) throw new TypeError('notBefore must be before notAfter');
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x40; // positive and exactly 16 bytes
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serial),
    algorithm,
    issuer.name,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.spki,
    explicit(3, sequence(...fields.extensions)),
  );
  const signature = sign('sha256', tbs, { key: issuer.privateKey, dsaEncoding: 'der' });
  return sequence(tbs, algorithm, bitString(signature));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  // `critical` is DEFAULT FALSE: DER leaves a default value out (X.690 §11.5).
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function distinguishedName(commonName: string): Buffer {
  if (typeof commonName !== 'string' || commonName === '') {
    throw new TypeError('a common name must be a non-empty string');
  }
  return sequence(set(sequence(oid(OID.commonName), utf8String(commonName))));
}

/** RFC 7093 §2 method 4 style: a hash of the whole SubjectPublicKeyInfo, cut to 160 bits. */
function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha256').update(spki).digest().subarray(0, 20);
}

function describeCertificate(der: Buffer, privateKey: KeyObject): TestCertificate {
  const x509 = new X509Certificate(der);
  return {
    cert: x509.toString(),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    x509,
    thumbprint: createHash('sha256').update(der).digest('base64url'),
  };
}

/** The IA5String content of a SAN (`uniformResourceIdentifier` and `dNSName` are IA5String). */
function ascii(value: string): Buffer {
  if (typeof value !== 'string' || value === '' || !/^[ -~]*$/.test(value)) {
    throw new TypeError(`${JSON.stringify(value)} is not a non-empty printable ASCII name`);
  }
  return Buffer.from(value, 'ascii');
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new TypeError(`${JSON.stringify(address)} is not an IP address`);
  let text = address;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 address (`::ffff:127.0.0.1`) fills the last two groups.
    const v4 = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    tail = v4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  for (const [index, group] of groups.entries()) bytes.writeUInt16BE(group, index * 2);
  if (tail.length === 4) Buffer.from(tail).copy(bytes, 12);
  return bytes;
}
