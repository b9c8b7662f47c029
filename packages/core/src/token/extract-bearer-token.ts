import { AuthConfigError, AuthError } from '../errors.js';
import { headerCount, headerValue, type RequestLike } from './request.js';

/** Options of {@link extractBearerToken}. */
export interface BearerExtractionOptions {
  /** Largest accepted token, in bytes. Default `8192` (8 KiB). */
  readonly maxTokenLength?: number;
  /**
   * Name of a query-string parameter that may carry the token (RFC 6750 §2.3), or `false`.
   * Default `false`: query-string tokens leak into logs and caches; enable only when a client
   * cannot send headers.
   */
  readonly queryParameter?: string | false;
  /** `realm` of the challenge in errors. */
  readonly realm?: string;
}

/** Default largest token length: 8 KiB. */
export const DEFAULT_MAX_TOKEN_LENGTH = 8192;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER_PREFIX = /^bearer(?: +|$)/i;

/**
 * Extracts the bearer token from a request (RFC 6750 §2.1 and, when enabled, §2.3).
 *
 * - Returns `undefined` when the request carries no bearer credentials at all (no
 *   `Authorization` header, or one with another scheme such as `Basic`).
 * - Throws {@link AuthError} `malformed_request` (400) for several `Authorization` headers,
 *   an empty or multi-part credential, a token over the size limit, or a token sent both in the
 *   header and the query string.
 *
 * The scheme is case-insensitive (`bearer`, `BEARER`).
 *
 * @example
 * ```ts
 * const token = extractBearerToken(req, { maxTokenLength: 4096 });
 * if (token === undefined) throw new AuthError('missing_token');
 * ```
 */
export function extractBearerToken(
  request: RequestLike,
  options: BearerExtractionOptions = {},
): string | undefined {
  const maxLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  const fromHeader = fromAuthorizationHeader(request, maxLength, options.realm);
  const fromQuery = options.queryParameter
    ? fromQueryString(request, options.queryParameter, maxLength, options.realm)
    : undefined;
  if (fromHeader !== undefined && fromQuery !== undefined) {
    // RFC 6750 §2: clients MUST NOT use more than one method.
    throw malformed('token sent in more than one place', options.realm);
  }
  return fromHeader ?? fromQuery;
}

/**
 * The `Authorization: Bearer` credential for a look-up among tokens verified before (the
 * verified-token cache): the header checks of {@link extractBearerToken} (one header, size,
 * scheme, not empty) without the character check, which costs more than the look-up and which
 * every verified token passes (a compact JWS is base64url segments and dots). A string it returns
 * that `extractBearerToken` would refuse is therefore never found; never throws. Query-string
 * tokens are not read.
 */
export function bearerCredential(request: RequestLike, maxLength: number): string | undefined {
  if (headerCount(request, 'authorization') !== 1) return undefined;
  const value = headerValue(request, 'authorization');
  if (value === undefined || value.length > maxLength + 7) return undefined;
  const header = value.trim();
  const prefix = bearerPrefixLength(header);
  if (prefix === -1) return undefined;
  const credential = header.slice(prefix);
  return credential === '' || credential.length > maxLength ? undefined : credential;
}

/**
 * The length of what {@link BEARER_PREFIX} matches at the start of `header` (`Bearer` in any case
 * and the spaces after it), or -1; without the match array. Case-insensitive matching without
 * the `u` flag never matches a non-ASCII character to an ASCII one, so comparing ASCII is the same.
 */
function bearerPrefixLength(header: string): number {
  if (header.length < 6) return -1;
  for (let at = 0; at < 6; at++) {
    if ((header.charCodeAt(at) | 0x20) !== BEARER.charCodeAt(at)) return -1;
  }
  let end = 6;
  while (header.charCodeAt(end) === 0x20) end++;
  return end === 6 && header.length !== 6 ? -1 : end;
}

const BEARER = 'bearer';

function fromAuthorizationHeader(
  request: RequestLike,
  maxLength: number,
  realm: string | undefined,
): string | undefined {
  const count = headerCount(request, 'authorization');
  if (count === 0) return undefined;
  if (count > 1) throw malformed('several authorization headers', realm);
  const value = headerValue(request, 'authorization');
  if (value === undefined) return undefined;
  // Measure before any parsing so that an oversized header costs nothing more.
  if (value.length > maxLength + 7) throw malformed('token too large', realm);
  const header = value.trim();
  if (header === '') return undefined;
  const prefix = BEARER_PREFIX.exec(header);
  // Another scheme (Basic, Digest, ...) means no bearer credentials: RFC 6750 §3.1.
  if (prefix === null) return undefined;
  const credential = header.slice(prefix[0].length);
  return checkCredential(credential, maxLength, realm);
}

function fromQueryString(
  request: RequestLike,
  parameter: string,
  maxLength: number,
  realm: string | undefined,
): string | undefined {
  const url = request.url;
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  const values = new URLSearchParams(url.slice(query + 1)).getAll(parameter);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw malformed(`several ${parameter} parameters`, realm);
  return checkCredential(values[0] ?? '', maxLength, realm);
}

function checkCredential(credential: string, maxLength: number, realm: string | undefined): string {
  if (credential === '') throw malformed('empty bearer token', realm);
  if (credential.length > maxLength) throw malformed('token too large', realm);
  if (!B64TOKEN.test(credential)) {
    throw malformed(
      /\s/.test(credential) ? 'exactly one bearer token expected' : 'invalid characters in bearer token',
      realm,
    );
  }
  return credential;
}

function malformed(description: string, realm: string | undefined): AuthError {
  return new AuthError('malformed_request', realm === undefined ? { description } : { description, realm });
}

/** Validates {@link BearerExtractionOptions} at construction time. */
export function validateExtractionOptions(options: BearerExtractionOptions, prefix: string): void {
  const { maxTokenLength, queryParameter } = options;
  if (
    maxTokenLength !== undefined &&
    (!Number.isInteger(maxTokenLength) || maxTokenLength < 64 || maxTokenLength > 1_048_576)
  ) {
    throw new AuthConfigError(
      `${prefix}.maxTokenLength`,
      'expected a whole number of bytes between 64 and 1048576 (default 8192)',
    );
  }
  if (
    queryParameter !== undefined &&
    queryParameter !== false &&
    (typeof queryParameter !== 'string' || queryParameter === '')
  ) {
    throw new AuthConfigError(
      `${prefix}.queryParameter`,
      "expected a parameter name such as 'access_token', or false to disable query-string tokens",
    );
  }
}
