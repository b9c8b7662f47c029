import type { X509Certificate } from 'node:crypto';
import { AuthConfigError, AuthError } from '../errors.js';
import { commonNames, parseSubjectAltNames } from './certificate-names.js';
import { isTrustDomain, spiffeTrustDomain } from './spiffe-id.js';

/**
 * Where the caller's identity is read from in a verified client certificate:
 * - `'spiffe'`: the one URI SAN, a SPIFFE ID such as `spiffe://prod.example/ns/billing/sa/api`
 *   (an X509-SVID has exactly one URI SAN);
 * - `'uri'`: the one URI SAN, any URI;
 * - `'dns'`: the one DNS SAN (a certificate with several is refused: pick one with a function);
 * - `'cn'`: the one subject common name (legacy; prefer a SAN);
 * - a function of the certificate returning the identity, or `undefined` to refuse it.
 */
export type MtlsIdentityRule =
  | 'spiffe'
  | 'uri'
  | 'dns'
  | 'cn'
  | ((certificate: X509Certificate) => string | undefined);

/** Reads the identity of a verified certificate, or throws the 401 that says why it cannot. */
export type IdentityReader = (certificate: X509Certificate) => string;

const RULES = ['spiffe', 'uri', 'dns', 'cn'];

function refuse(description: string): AuthError {
  return new AuthError('untrusted_certificate', { description });
}

/** The only value of `values`, or a refusal naming what is missing or ambiguous. */
function single(values: readonly string[] | undefined, what: string): string {
  if (values === undefined) throw refuse('client certificate names could not be read');
  if (values.length === 0) throw refuse(`client certificate has no ${what}`);
  if (values.length > 1) throw refuse(`client certificate has several ${what}s`);
  const value = values[0] as string;
  if (value === '') throw refuse(`client certificate has an empty ${what}`);
  return value;
}

function sans(certificate: X509Certificate, type: string): string[] | undefined {
  return parseSubjectAltNames(certificate.subjectAltName)
    ?.filter((name) => name.type === type)
    .map((name) => name.value);
}

/**
 * Compiles the `identity` and `trustDomains` options.
 * @throws {AuthConfigError}
 */
export function compileIdentityRule(
  rule: MtlsIdentityRule | undefined,
  trustDomains: readonly string[] | undefined,
): IdentityReader {
  const chosen = rule ?? 'spiffe';
  if (typeof chosen !== 'function' && !RULES.includes(chosen)) {
    throw new AuthConfigError(
      'identity',
      "expected 'spiffe' (default), 'uri', 'dns', 'cn' or a function (certificate) => string | undefined",
    );
  }
  if (trustDomains !== undefined && chosen !== 'spiffe') {
    throw new AuthConfigError(
      'trustDomains',
      "applies only to identity: 'spiffe'; remove it or use SPIFFE IDs",
    );
  }
  const domains = compileTrustDomains(trustDomains);
  switch (chosen) {
    case 'spiffe':
      return (certificate) => {
        const id = single(sans(certificate, 'URI'), 'URI name');
        const domain = spiffeTrustDomain(id);
        if (domain === undefined) throw refuse('client certificate URI is not a SPIFFE ID');
        if (domains !== undefined && !domains.has(domain)) {
          throw refuse('client certificate from an untrusted trust domain');
        }
        return id;
      };
    case 'uri':
      return (certificate) => single(sans(certificate, 'URI'), 'URI name');
    case 'dns':
      return (certificate) => single(sans(certificate, 'DNS'), 'DNS name');
    case 'cn':
      return (certificate) => single(commonNames(certificate.subject), 'common name');
    default:
      return (certificate) => {
        // An AuthError it throws is the answer; anything else is a bug and propagates as such.
        const identity: unknown = chosen(certificate);
        if (identity === undefined || identity === '') {
          throw refuse('client certificate does not name an accepted identity');
        }
        if (typeof identity !== 'string') {
          throw new TypeError('the mTLS identity function must return a string or undefined');
        }
        return identity;
      };
  }
}

function compileTrustDomains(trustDomains: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (trustDomains === undefined) return undefined;
  if (!Array.isArray(trustDomains) || trustDomains.length === 0) {
    throw new AuthConfigError(
      'trustDomains',
      "expected a non-empty array of trust domains such as ['prod.example'], or leave it out to accept any",
    );
  }
  for (const [index, domain] of trustDomains.entries()) {
    if (!isTrustDomain(domain)) {
      throw new AuthConfigError(
        `trustDomains[${index}]`,
        'expected a trust domain name such as "prod.example" (lower-case letters, digits, ".", "-", "_"; no "spiffe://")',
      );
    }
  }
  return new Set(trustDomains);
}
