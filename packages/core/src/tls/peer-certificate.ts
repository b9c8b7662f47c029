import type { X509Certificate } from 'node:crypto';
import { AuthError } from '../errors.js';
import type { RequestLike } from '../token/request.js';

/** Client-safe descriptions of the OpenSSL verification codes a client can cause. */
const UNTRUSTED: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'client certificate expired',
  CERT_NOT_YET_VALID: 'client certificate not yet valid',
  CERT_REVOKED: 'client certificate revoked',
  CERT_SIGNATURE_FAILURE: 'invalid client certificate signature',
  INVALID_PURPOSE: 'client certificate not meant for client authentication',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'client certificate issuer not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'client certificate issuer not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'client certificate issuer not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'client certificate issuer not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'client certificate issuer not trusted',
  CERT_CHAIN_TOO_LONG: 'client certificate chain too long',
};

/** The verification code of `socket.authorizationError`: Node gives a string, its types an Error. */
function codeOf(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** The rejection for a certificate the TLS layer did not verify, described from its reason. */
export function untrustedCertificate(authorizationError: unknown): AuthError {
  const code = codeOf(authorizationError);
  const description = (code !== undefined && UNTRUSTED[code]) || 'client certificate not trusted';
  return new AuthError('untrusted_certificate', {
    description,
    ...(authorizationError == null ? {} : { cause: authorizationError }),
  });
}

/** The client certificate of a TLS request, whether the server verified it or not. */
export function presentedCertificate(request: RequestLike | undefined): X509Certificate | undefined {
  const socket = request?.socket;
  if (socket == null || typeof socket.getPeerX509Certificate !== 'function') return undefined;
  return socket.getPeerX509Certificate() ?? undefined;
}

/**
 * The verified client certificate of a request.
 *
 * @returns `undefined` when the request has none (plain HTTP, a server that requests none, a
 *   client that sent none)
 * @throws {AuthError} `untrusted_certificate` when the server's TLS layer did not verify it
 */
export function verifiedPeerCertificate(request: RequestLike): X509Certificate | undefined {
  const socket = request.socket;
  if (socket == null || socket.encrypted !== true) return undefined;
  const certificate = presentedCertificate(request);
  if (certificate === undefined) return undefined;
  // Only the TLS layer's own verdict counts: a certificate it did not verify proves nothing.
  if (socket.authorized !== true) throw untrustedCertificate(socket.authorizationError);
  return certificate;
}
