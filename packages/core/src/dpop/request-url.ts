import { AuthError } from '../errors.js';
import { headerCount, headerValue, type RequestLike, requestTarget } from '../token/request.js';

/** An absolute http(s) URL split for comparison: origin and path, each normalized. */
export interface NormalizedUrl {
  /** `scheme://host[:port]`, lower-case, without the scheme's default port. */
  readonly origin: string;
  /** The path, syntax-normalized (RFC 3986 §6.2.2); never the query or the fragment. */
  readonly path: string;
}

// RFC 3986 §2.3: percent-encoded unreserved characters are equivalent to the characters.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const PERCENT = /%([0-9A-Fa-f]{2})/g;

/**
 * Parses an absolute http(s) URL and normalizes it as RFC 9449 §4.3 asks before comparing `htu`:
 * syntax-based normalization (RFC 3986 §6.2.2: case of scheme and host, percent-encoding, dot
 * segments) and scheme-based normalization (§6.2.3: default port dropped, empty path is `/`).
 * The query and the fragment are dropped. A URL with user information is refused.
 *
 * @returns the normalized parts, or undefined when `value` is not an absolute http(s) URL
 */
export function normalizeHttpUrl(value: string): NormalizedUrl | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return undefined;
  return { origin: `${url.protocol}//${url.host}`, path: normalizePercentEncoding(url.pathname) };
}

function normalizePercentEncoding(path: string): string {
  return path.replace(PERCENT, (match, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : match.toUpperCase();
  });
}

/**
 * The normalized path of the request target, without query and fragment: the origin-form path
 * (`/orders/42?x=1` → `/orders/42`), or the path of an absolute-form target.
 *
 * @throws {AuthError} `invalid_dpop_proof` when the target has no path (`*`, authority-form)
 */
export function requestPath(request: RequestLike): string {
  const target = requestTarget(request);
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  // Concatenated, not resolved: `new URL('//evil/x', base)` would read `//evil` as a host.
  const url = path.startsWith('/') ? `http://localhost${path}` : path;
  const normalized = normalizeHttpUrl(url);
  if (normalized === undefined) throw proofError('the request target has no path to compare htu with');
  return normalized.path;
}

/**
 * The origin of the request as the client addressed it: `https` on a TLS connection (else `http`)
 * and the `Host` header (or HTTP/2 `:authority`), or the authority of an absolute-form target.
 * The client chooses all of these; see `DpopOptions.origin` for services behind proxies.
 *
 * @throws {AuthError} `malformed_request` without a single valid Host header
 */
export function requestOrigin(request: RequestLike): string {
  const target = requestTarget(request);
  if (/^https?:\/\//i.test(target)) {
    // RFC 9112 §3.2.2: with an absolute-form target, the target's authority wins over Host.
    const absolute = normalizeHttpUrl(target);
    if (absolute !== undefined) return absolute.origin;
  }
  const name = request.headers.host !== undefined ? 'host' : ':authority';
  if (headerCount(request, name) !== 1) throw malformed('exactly one Host header expected');
  const host = headerValue(request, name)?.trim() ?? '';
  // Only host[:port]: no path, user information, query or whitespace smuggled in through Host.
  if (host === '' || /[\s/\\?#@]/.test(host)) throw malformed('invalid Host header');
  const scheme = request.socket?.encrypted === true ? 'https' : 'http';
  const parsed = normalizeHttpUrl(`${scheme}://${host}/`);
  if (parsed === undefined) throw malformed('invalid Host header');
  return parsed.origin;
}

function malformed(description: string): AuthError {
  return new AuthError('malformed_request', { description, scheme: 'DPoP' });
}

function proofError(description: string): AuthError {
  return new AuthError('invalid_dpop_proof', { description });
}
