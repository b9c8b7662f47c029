import { AuthError } from '../errors.js';

/** The JOSE header fields the verifier reads. */
export interface TokenHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [parameter: string]: unknown;
}

/** A structurally valid, not yet verified JWS compact token. */
export interface DecodedToken {
  readonly header: TokenHeader;
  readonly payload: Readonly<Record<string, unknown>>;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a compact JWS without verifying it, strictly: exactly three base64url segments in
 * canonical form (no padding, whitespace or stray bits), a JSON object header with a string
 * `alg`, and a JSON object payload. Tokens of the wrong kind get an error that names the kind.
 *
 * @throws {AuthError} `malformed_token` or `unsupported_token`
 */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length === 5) {
    throw new AuthError('unsupported_token', {
      description: 'encrypted tokens (JWE) are not accepted; send a signed JWT',
    });
  }
  if (parts.length === 1) {
    throw new AuthError('unsupported_token', {
      description: 'opaque tokens are not accepted; send a signed JWT',
    });
  }
  if (parts.length !== 3) throw malformed('a JWT has three dot-separated parts');
  const [header, payload, signature] = parts as [string, string, string];
  if (!isCanonicalBase64Url(header) || header === '') throw malformed('invalid token header');
  if (!isCanonicalBase64Url(payload) || payload === '') throw malformed('invalid token payload');
  if (!isCanonicalBase64Url(signature)) throw malformed('invalid token signature encoding');

  const decodedHeader = parseObject(header, 'invalid token header');
  if (typeof decodedHeader.alg !== 'string' || decodedHeader.alg === '') {
    throw malformed('token header has no algorithm');
  }
  if (decodedHeader.kid !== undefined && typeof decodedHeader.kid !== 'string') {
    throw malformed('invalid key id');
  }
  if (decodedHeader.typ !== undefined && typeof decodedHeader.typ !== 'string') {
    throw malformed('invalid token type header');
  }
  // RFC 7797 unencoded payloads have no place in a JWT (RFC 7519 §7.2 step 8).
  if ('b64' in decodedHeader) throw malformed('unencoded payloads are not accepted');
  return {
    header: decodedHeader as TokenHeader,
    payload: parseObject(payload, 'token payload is not a JSON object'),
  };
}

/** True when `segment` is base64url exactly as an encoder would produce it. */
export function isCanonicalBase64Url(segment: string): boolean {
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) return false;
  // Non-zero unused bits in the last character decode to the same bytes; reject them so one
  // token has exactly one spelling.
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function parseObject(segment: string, description: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(Buffer.from(segment, 'base64url')));
  } catch (cause) {
    throw new AuthError('malformed_token', { description, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(description);
  return value as Record<string, unknown>;
}

function malformed(description: string): AuthError {
  return new AuthError('malformed_token', { description });
}
