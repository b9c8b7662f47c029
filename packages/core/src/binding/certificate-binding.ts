import { AuthConfigError, AuthError } from '../errors.js';
import { certificateThumbprint } from '../tls/certificate-thumbprint.js';
import { presentedCertificate } from '../tls/peer-certificate.js';
import type { RequestLike } from '../token/request.js';

/**
 * Whether a verifier demands certificate-bound tokens (RFC 8705 §3): `'optional'` (default)
 * checks the binding of tokens that carry `cnf.x5t#S256` and accepts unbound ones; `'required'`
 * also refuses every token that is not bound to a client certificate.
 */
export type CertificateBinding = 'optional' | 'required';

/**
 * Validates the `certificateBinding` option.
 * @returns true when every token must be bound
 * @throws {AuthConfigError}
 */
export function compileCertificateBinding(value: unknown): boolean {
  if (value === undefined || value === 'optional') return false;
  if (value === 'required') return true;
  throw new AuthConfigError(
    'certificateBinding',
    "expected 'optional' (default: bound tokens are checked, unbound ones accepted) or 'required'",
  );
}

/**
 * Checks the certificate binding of a verified token against the request it came with. Runs on
 * every request, also when the token's signature came from the cache: the cache is keyed by the
 * token, and a stolen token replayed over another connection must still fail here.
 *
 * A token with `cnf.x5t#S256` is accepted only over a TLS connection whose client certificate
 * has that SHA-256 thumbprint (RFC 8705 §3). The certificate need not chain to a trusted CA:
 * the TLS handshake proved the client holds its key, which is what the binding asks (§2.2
 * allows self-signed certificates).
 *
 * @throws {AuthError} `certificate_mismatch`, or `invalid_claim` for a malformed `cnf`
 */
export function checkCertificateBinding(
  payload: Readonly<Record<string, unknown>>,
  request: RequestLike | undefined,
  required: boolean,
): void {
  const thumbprint = boundThumbprint(payload);
  if (thumbprint === undefined) {
    if (required) {
      throw new AuthError('certificate_mismatch', {
        description: 'token is not bound to a client certificate',
      });
    }
    return;
  }
  const certificate = presentedCertificate(request);
  if (certificate === undefined) {
    throw new AuthError('certificate_mismatch', {
      description: 'certificate-bound token presented without a client certificate',
    });
  }
  if (certificateThumbprint(certificate) !== thumbprint) throw new AuthError('certificate_mismatch');
}

/** The token's `cnf.x5t#S256`, if it has one (RFC 7800 §3.1, RFC 8705 §3.1). */
function boundThumbprint(payload: Readonly<Record<string, unknown>>): string | undefined {
  const cnf = payload.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new AuthError('invalid_claim', { claim: 'cnf' });
  }
  const thumbprint = (cnf as Record<string, unknown>)['x5t#S256'];
  if (thumbprint === undefined) return undefined;
  if (typeof thumbprint !== 'string' || thumbprint === '') {
    throw new AuthError('invalid_claim', { claim: 'cnf' });
  }
  return thumbprint;
}
