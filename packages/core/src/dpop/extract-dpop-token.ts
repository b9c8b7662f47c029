import { AuthError } from '../errors.js';
import {
  type BearerExtractionOptions,
  DEFAULT_MAX_TOKEN_LENGTH,
  extractBearerToken,
} from '../token/extract-bearer-token.js';
import { headerCount, headerValue, type RequestLike } from '../token/request.js';

/** An access token and the scheme it came with. */
export interface PresentedToken {
  readonly token: string;
  readonly scheme: 'Bearer' | 'DPoP';
}

// RFC 9449 §7.1: the DPoP credential is a token68, like RFC 6750's b64token.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const DPOP_PREFIX = /^dpop(?: +|$)/i;

/**
 * Extracts `Authorization: DPoP <token>` (RFC 9449 §7.1), or else the bearer token exactly as
 * `extractBearerToken` does. The scheme is case-insensitive; one `Authorization` header, one
 * token68 credential within `maxTokenLength`, and never a token in the query string as well.
 *
 * @returns undefined when the request carries neither scheme
 * @throws {AuthError} `malformed_request` (400), with the DPoP scheme for a malformed DPoP credential
 */
export function extractDpopOrBearerToken(
  request: RequestLike,
  options: BearerExtractionOptions,
): PresentedToken | undefined {
  const value =
    headerCount(request, 'authorization') === 1 ? headerValue(request, 'authorization') : undefined;
  const prefix = value === undefined ? null : DPOP_PREFIX.exec(value.trimStart());
  if (value === undefined || prefix === null) {
    // Not DPoP (no header, several, or another scheme): the bearer rules, errors included.
    const token = extractBearerToken(request, options);
    return token === undefined ? undefined : { token, scheme: 'Bearer' };
  }
  const maxLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (value.length > maxLength + 7) throw malformed('token too large');
  const credential = value.trim().slice(prefix[0].length);
  if (credential === '') throw malformed('empty DPoP token');
  if (credential.length > maxLength) throw malformed('token too large');
  if (!TOKEN68.test(credential)) {
    throw malformed(
      /\s/.test(credential) ? 'exactly one DPoP token expected' : 'invalid characters in DPoP token',
    );
  }
  const parameter = options.queryParameter;
  if (parameter && request.url?.includes('?')) {
    const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1));
    // RFC 6750 §2: one method only; a query-string token next to a DPoP one is ambiguous.
    if (query.has(parameter)) throw malformed('token sent in more than one place');
  }
  return { token: credential, scheme: 'DPoP' };
}

function malformed(description: string): AuthError {
  return new AuthError('malformed_request', { description, scheme: 'DPoP' });
}
