import { createHash, X509Certificate } from 'node:crypto';

/**
 * The SHA-256 thumbprint of a certificate's DER encoding, base64url without padding: the
 * `x5t#S256` confirmation method of certificate-bound tokens (RFC 8705 §3.1).
 *
 * @param certificate an `X509Certificate`, a PEM string or the DER bytes
 * @throws {TypeError} when `certificate` is not a certificate
 * @example
 * ```ts
 * import { certificateThumbprint } from '@org/auth-core';
 *
 * const cnf = { 'x5t#S256': certificateThumbprint(readFileSync('client.pem', 'utf8')) };
 * ```
 */
export function certificateThumbprint(certificate: X509Certificate | string | Uint8Array): string {
  let der: Uint8Array;
  if (certificate instanceof X509Certificate) {
    der = certificate.raw;
  } else if (typeof certificate === 'string' || certificate instanceof Uint8Array) {
    // Parsing (rather than hashing the bytes given) proves it is a certificate and reduces PEM to DER.
    try {
      der = new X509Certificate(certificate).raw;
    } catch (cause) {
      throw new TypeError('expected a certificate (PEM or DER)', { cause });
    }
  } else {
    throw new TypeError('expected an X509Certificate, a PEM string or DER bytes');
  }
  return createHash('sha256').update(der).digest('base64url');
}
