import { createHash, createHmac } from 'node:crypto';

/** The `Authorization` scheme of signed requests. */
export const HMAC_SCHEME = 'HMAC-SHA256';

/** The body hash of a request without body: SHA-256 of zero bytes, base64url. */
export const EMPTY_BODY_HASH = '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU';

/** Everything a request signature covers. */
export interface CanonicalRequestParts {
  /** The signing service's key id (its name). */
  readonly keyId: string;
  /** Seconds since the epoch, as sent (decimal digits). */
  readonly timestamp: string;
  /** A one-time value chosen by the signer. */
  readonly nonce: string;
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The request target exactly as sent on the request line: path and query, no normalization. */
  readonly target: string;
  /** The signed headers in signing order: lower-case name and value. */
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** base64url SHA-256 of the raw body bytes ({@link EMPTY_BODY_HASH} for none). */
  readonly bodyHash: string;
}

/**
 * The string a request signature is computed over: these lines, joined by `\n`, without a final
 * newline (the README gives the same definition for signers in other languages):
 *
 * ```text
 * HMAC-SHA256
 * <keyId>
 * <timestamp>
 * <nonce>
 * <METHOD>
 * <request target: path?query exactly as sent>
 * <signed header names, lower case, joined by ";">
 * <name>:<value>          one line per signed header, in that order, value trimmed
 * <body hash>
 * ```
 */
export function canonicalRequest(parts: CanonicalRequestParts): string {
  return [
    HMAC_SCHEME,
    parts.keyId,
    parts.timestamp,
    parts.nonce,
    parts.method.toUpperCase(),
    parts.target,
    parts.headers.map(([name]) => name).join(';'),
    ...parts.headers.map(([name, value]) => `${name}:${value.trim()}`),
    parts.bodyHash,
  ].join('\n');
}

/** base64url SHA-256 of a body; a string is hashed as UTF-8. */
export function hashBody(body: Uint8Array | string | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_BODY_HASH;
  return createHash('sha256').update(body).digest('base64url');
}

/** The HMAC-SHA256 of the canonical request under one secret (raw bytes). */
export function hmacOf(secret: Uint8Array, canonical: string): Buffer {
  return createHmac('sha256', secret).update(canonical, 'utf8').digest();
}
