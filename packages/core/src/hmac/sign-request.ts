import { randomBytes } from 'node:crypto';
import { AuthConfigError } from '../errors.js';
import { canonicalRequest, hashBody, hmacOf } from './canonical-request.js';
import { hmacSecretBytes } from './hmac-credentials.js';
import { formatSignatureHeader } from './signature-header.js';

/** What {@link signRequest} signs. */
export interface SignRequestOptions {
  /** The key id the receiver knows this service by (its name). */
  readonly keyId: string;
  /** The shared secret, at least 32 bytes. */
  readonly secret: string | Uint8Array;
  /** HTTP method. Default `GET`. */
  readonly method?: string;
  /** The full URL the request goes to; its host and path with query are signed. */
  readonly url: string | URL;
  /** Request headers; `host` comes from the URL unless given here. */
  readonly headers?: Readonly<Record<string, string>> | Headers;
  /** The exact body bytes that will be sent (a string is sent as UTF-8). */
  readonly body?: Uint8Array | string;
  /** Headers to sign besides `host`, lower case, e.g. `['content-type']`. Default: `content-type` when given. */
  readonly signedHeaders?: readonly string[];
  /** Clock in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

function headerMap(headers: SignRequestOptions['headers']): Map<string, string> {
  const map = new Map<string, string>();
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers ?? {});
  for (const [name, value] of entries) map.set(name.toLowerCase(), value);
  return map;
}

/**
 * Signs a request for a receiver that uses `createHmacAuthenticator`, and returns the
 * `Authorization` header value to send with it. A fresh nonce and the current time are used,
 * so sign each request (and each retry) anew.
 *
 * @throws {AuthConfigError} when the secret is short or a signed header has no value
 * @example
 * ```ts
 * const body = JSON.stringify({ sku: 'A1' });
 * const authorization = signRequest({ keyId: 'billing', secret, method: 'POST', url, body,
 *   headers: { 'content-type': 'application/json' } });
 * await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization } });
 * ```
 */
export function signRequest(options: SignRequestOptions): string {
  const secret = hmacSecretBytes(options.secret, 'secret');
  const url = new URL(options.url);
  const headers = headerMap(options.headers);
  if (!headers.has('host')) headers.set('host', url.host);
  const names = ['host', ...(options.signedHeaders ?? (headers.has('content-type') ? ['content-type'] : []))];
  const signed = [...new Set(names.map((name) => name.toLowerCase()))].map((name): [string, string] => {
    const value = headers.get(name);
    if (value === undefined)
      throw new AuthConfigError('signedHeaders', `header ${name} has no value to sign`);
    return [name, value];
  });
  const parts = {
    keyId: options.keyId,
    timestamp: String(Math.floor((options.now ?? Date.now)() / 1000)),
    nonce: randomBytes(18).toString('base64url'),
    method: options.method ?? 'GET',
    target: `${url.pathname}${url.search}`,
    headers: signed,
    bodyHash: hashBody(options.body),
  };
  const signature = hmacOf(secret, canonicalRequest(parts)).toString('base64url');
  return formatSignatureHeader({ ...parts, signedHeaders: signed.map(([name]) => name), signature });
}
