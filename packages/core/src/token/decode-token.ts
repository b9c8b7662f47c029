import { isUtf8 } from 'node:buffer';
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

/** The structurally valid parts of a compact JWS: the parsed header and the raw payload segment. */
export interface DecodedJws {
  readonly header: TokenHeader;
  /** The payload segment, base64url-encoded and canonical; possibly empty. */
  readonly payloadSegment: string;
}

/**
 * Decodes a compact JWS without verifying it, strictly: exactly three base64url segments in
 * canonical form (no padding, whitespace or stray bits), a JSON object header with a string
 * `alg`, and a JSON object payload. Tokens of the wrong kind get an error that names the kind.
 * Duplicate member names in the header or payload make the token malformed (RFC 8725 §3.2).
 *
 * @throws {AuthError} `malformed_token` or `unsupported_token`
 */
export function decodeToken(token: string): DecodedToken {
  const { header, payloadSegment } = decodeJws(token, false);
  return { header, payload: parseObject(payloadSegment, 'token payload is not a JSON object') };
}

/**
 * The structural part of {@link decodeToken}, shared with `verifyCompactJws`: segments, header
 * and the header fields the verifier reads. The payload is left encoded; it may be empty only
 * when `allowEmptyPayload` is set (a JWT payload never is).
 *
 * @throws {AuthError} `malformed_token` or `unsupported_token`
 */
export function decodeJws(token: string, allowEmptyPayload: boolean): DecodedJws {
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
  if (!isCanonicalBase64Url(payload) || (payload === '' && !allowEmptyPayload)) {
    throw malformed('invalid token payload');
  }
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
  if (decodedHeader.crit !== undefined) {
    const { crit } = decodedHeader;
    if (
      !Array.isArray(crit) ||
      crit.length === 0 ||
      crit.some((name) => typeof name !== 'string' || name === '')
    ) {
      throw malformed('invalid crit header');
    }
    // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must reject the
    // token. This verifier understands none (b64 is refused above), and registered names may not
    // be listed at all.
    throw new AuthError('unsupported_token', { description: 'unsupported critical header' });
  }
  return { header: decodedHeader as TokenHeader, payloadSegment: payload };
}

/** True when `segment` is base64url exactly as an encoder would produce it. */
export function isCanonicalBase64Url(segment: string): boolean {
  if (!SEGMENT.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  // Non-zero unused bits in the last character decode to the same bytes; reject them so one
  // token has exactly one spelling. 2 trailing characters carry 4 unused bits, 3 carry 2.
  const last = BASE64URL_ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function parseObject(segment: string, description: string): Record<string, unknown> {
  let value: unknown;
  let text = '';
  try {
    const bytes = Buffer.from(segment, 'base64url');
    text = bytes.toString('utf8');
    // Invalid UTF-8 decodes to U+FFFD and would be read as something it is not; only a text
    // with U+FFFD in it can come from invalid bytes, so only then are the bytes checked.
    if (text.includes('\uFFFD') && !isUtf8(bytes)) throw new TypeError('invalid UTF-8');
    value = JSON.parse(text);
  } catch (cause) {
    throw new AuthError('malformed_token', { description, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(description);
  if (repeatsAName(text, value)) throw malformed(`${description}: duplicate member names`);
  return value as Record<string, unknown>;
}

/**
 * True when an object in `json` (already known to be valid JSON) names a member twice.
 * `JSON.parse` silently keeps the last one, so two parsers could read two different tokens from
 * the same bytes (RFC 7515 §5.2 step 4 / RFC 8725 §3.2 allow rejecting such input). Escaped
 * names (`"s\u0075b"`) count as what they decode to, so `{"sub":"a","s\u0075b":"b"}` is caught.
 */
export function hasDuplicateMember(json: string): boolean {
  return repeatsAName(json, JSON.parse(json));
}

function repeatsAName(json: string, parsed: unknown): boolean {
  // Cheap exit: every member needs a ':', so with fewer than two there cannot be a duplicate.
  if (json.indexOf(':') === json.lastIndexOf(':')) return false;
  return memberCount(json) !== keyCount(parsed);
}

/**
 * The member names written in `json`, counted in one pass without allocating. `JSON.parse` keeps
 * one key per distinct name of an object, so the parsed value has fewer keys exactly when a name
 * is repeated within an object.
 */
function memberCount(json: string): number {
  // Per nesting level, whether it is an object (1) or an array (0); JSON nests shallowly.
  const objects: number[] = [];
  let expectName = false;
  let count = 0;
  for (let at = 0; at < json.length; at++) {
    const char = json.charCodeAt(at);
    if (char === 0x7b /* { */) {
      objects.push(1);
      expectName = true;
    } else if (char === 0x5b /* [ */) {
      objects.push(0);
      expectName = false;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      objects.pop();
      expectName = false;
    } else if (char === 0x2c /* , */) {
      expectName = objects[objects.length - 1] === 1;
    } else if (char === 0x22 /* " */) {
      for (at++; json.charCodeAt(at) !== 0x22; at++) {
        if (json.charCodeAt(at) === 0x5c /* \ */) at++;
      }
      if (expectName) count++;
      expectName = false;
    }
  }
  return count;
}

/** The keys of every object in a parsed JSON value, nested ones included. */
function keyCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += keyCount(item);
    return count;
  }
  const keys = Object.keys(value);
  count = keys.length;
  for (const key of keys) count += keyCount((value as Record<string, unknown>)[key]);
  return count;
}

function malformed(description: string): AuthError {
  return new AuthError('malformed_token', { description });
}
