import { AuthConfigError } from '../errors.js';

/** The shortest shared secret accepted for HMAC-signed requests, in bytes. */
export const HMAC_MIN_SECRET_BYTES = 32;

const KEY_ID = /^[A-Za-z0-9._~+/:@-]{1,128}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** True for a key id of a signed request: 1 to 128 letters, digits and `._~+/:@-`. */
export function isHmacKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID.test(value);
}

/** True for a header name as signed requests list them: an HTTP token in lower case. */
export function isSignedHeaderName(value: unknown): value is string {
  return typeof value === 'string' && HEADER_NAME.test(value);
}

/**
 * The bytes of a shared secret (a string counts its UTF-8 bytes), the same for signers and
 * receivers. A copy, so that later changes to the caller's buffer change nothing.
 *
 * @throws {AuthConfigError} naming `option` when it is not a string or bytes of at least 32 bytes
 */
export function hmacSecretBytes(secret: unknown, option: string): Buffer {
  const bytes =
    typeof secret === 'string'
      ? Buffer.from(secret, 'utf8')
      : secret instanceof Uint8Array
        ? Buffer.from(secret)
        : undefined;
  if (bytes === undefined || bytes.length < HMAC_MIN_SECRET_BYTES) {
    throw new AuthConfigError(
      option,
      `expected a string or bytes of at least ${HMAC_MIN_SECRET_BYTES} bytes, the same on signer and receiver ` +
        "(e.g. randomBytes(32).toString('base64url'))",
    );
  }
  return bytes;
}
