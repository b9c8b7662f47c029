import { compactVerify, errors } from 'jose';
import { AuthError } from '../errors.js';
import type { KeyEntry } from './key-entry.js';

/**
 * Verifies a compact JWS signature with one of `keys`. The only place that reads jose's errors.
 *
 * @returns the key that verified the token
 * @throws {AuthError} `invalid_signature`, `unsupported_algorithm` or `malformed_token`
 */
export async function verifySignature(
  token: string,
  alg: string,
  keys: readonly KeyEntry[],
): Promise<KeyEntry> {
  let failure: unknown;
  // Several candidates only when the token names no key id; each is tried once.
  for (const entry of keys) {
    try {
      await compactVerify(token, entry.key, { algorithms: [alg] });
      return entry;
    } catch (error) {
      failure = error;
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  throw toAuthError(failure);
}

function toAuthError(error: unknown): AuthError {
  if (error instanceof errors.JOSEError) {
    switch (error.code) {
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return new AuthError('invalid_signature', { cause: error });
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
        return new AuthError('unsupported_algorithm', { cause: error });
      case 'ERR_JOSE_NOT_SUPPORTED':
        return new AuthError('unsupported_token', { description: 'unsupported token header', cause: error });
      default:
        return new AuthError('malformed_token', { cause: error });
    }
  }
  // A key that WebCrypto refuses for this algorithm is a verification failure, not a crash.
  return new AuthError('invalid_signature', { cause: error });
}
