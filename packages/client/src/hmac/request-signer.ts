import { signRequest } from '@org/auth-core';
import { optionKeys } from '@org/auth-core/adapter';
import { hmacSecretBytes, isHmacKeyId, isSignedHeaderName } from '@org/auth-core/protocol';
import { AuthClientError, AuthConfigError } from '../errors.js';
import { checkOptions } from '../lib/options.js';
import { requestBodyBytes, signableBody } from './signable-body.js';

/**
 * The `signer` option of `createAuthFetch`: sign every request with a shared secret
 * (`Authorization: HMAC-SHA256 ...`) for a receiver that uses `createHmacAuthenticator` from
 * `@org/auth-core`, instead of attaching a token.
 */
export interface AuthFetchSignerOptions {
  /**
   * The key id the receiver knows this service by (usually its name): a key of `services` in the
   * receiver's `createHmacAuthenticator`. 1 to 128 letters, digits and `._~+/:@-`.
   */
  readonly keyId: string;
  /**
   * The secret shared with the receiver, at least 32 bytes (a string counts its UTF-8 bytes), e.g.
   * `randomBytes(32).toString('base64url')`. Copied at construction.
   */
  readonly secret: string | Uint8Array;
  /**
   * Headers to sign besides `host` (always signed) and `content-type` (signed whenever the request
   * has one), e.g. `['x-request-id']`. Every request must then carry them. Default: none.
   */
  readonly signedHeaders?: readonly string[];
  /** Clock in milliseconds since the epoch, for the signatures' timestamp. Default `Date.now`. */
  readonly now?: () => number;
}

const OPTIONS = optionKeys<AuthFetchSignerOptions>({
  keyId: true,
  secret: true,
  signedHeaders: true,
  now: true,
});

/** What the platform `fetch` accepts as its first argument. */
export type FetchInput = string | URL | Request;

function compileSignedHeaders(headers: unknown): readonly string[] {
  if (headers === undefined) return [];
  if (!Array.isArray(headers) || headers.some((name) => typeof name !== 'string')) {
    throw new AuthConfigError(
      'signer.signedHeaders',
      "expected an array of header names, such as ['x-request-id']",
    );
  }
  const names = [...new Set(headers.map((name: string) => name.toLowerCase()))];
  for (const name of names) {
    if (!isSignedHeaderName(name)) {
      throw new AuthConfigError('signer.signedHeaders', `${JSON.stringify(name)} is not a header name`);
    }
    if (name === 'authorization') {
      throw new AuthConfigError(
        'signer.signedHeaders',
        'authorization carries the signature and cannot be signed; remove it',
      );
    }
  }
  return names;
}

/**
 * Signs the requests of one `createAuthFetch`: turns `fetch`'s arguments into the exact method,
 * URL, headers and body bytes to send, and adds their signature.
 */
export class RequestSigner {
  readonly #keyId: string;
  readonly #secret: Uint8Array;
  readonly #signedHeaders: readonly string[];
  readonly #now: (() => number) | undefined;

  /** @throws {AuthConfigError} for invalid or unknown options, naming the option to change */
  constructor(options: AuthFetchSignerOptions) {
    checkOptions('signer', options, OPTIONS, '{ keyId, secret } of this service, as the receiver knows it');
    if (!isHmacKeyId(options.keyId)) {
      throw new AuthConfigError(
        'signer.keyId',
        "expected the name the receiver knows this service by: 1 to 128 letters, digits and ._~+/:@- (e.g. 'billing')",
      );
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new AuthConfigError('signer.now', 'expected a function returning milliseconds since the epoch');
    }
    this.#keyId = options.keyId;
    this.#secret = hmacSecretBytes(options.secret, 'signer.secret');
    this.#signedHeaders = compileSignedHeaders(options.signedHeaders);
    this.#now = options.now;
  }

  /**
   * The `init` to call `fetch(input, init)` with: the method, the merged headers with
   * `Authorization` and the body as the very bytes that were hashed. Everything else in `init`
   * (`signal`, `dispatcher`, ...) passes through.
   *
   * @throws {AuthClientError} `unsignable_request` for a body that is not known up front, or a missing signed header
   */
  async sign(input: FetchInput, init: RequestInit | undefined): Promise<RequestInit> {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request === undefined ? input : request.url);
    const method = init?.method ?? request?.method ?? 'GET';
    const headers = new Headers(request?.headers);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    // fetch never sends a Host header of the caller's: it comes from the URL, and so does the signed one.
    headers.delete('host');

    // As in fetch, init's body wins over the Request's.
    let body: Uint8Array | undefined;
    if (init?.body !== undefined && init.body !== null) {
      const signable = await signableBody(init.body);
      body = signable.bytes;
      if (signable.contentType !== undefined && !headers.has('content-type')) {
        headers.set('content-type', signable.contentType);
      }
    } else if (request !== undefined) {
      body = await requestBodyBytes(request);
    }

    for (const name of this.#signedHeaders) {
      if (name !== 'host' && !headers.has(name)) {
        throw new AuthClientError(
          'unsignable_request',
          `the request to ${url.origin} has no ${name} header, which signer.signedHeaders lists; set it on every request`,
        );
      }
    }
    const signedHeaders = headers.has('content-type')
      ? ['content-type', ...this.#signedHeaders]
      : this.#signedHeaders;
    headers.set(
      'authorization',
      signRequest({
        keyId: this.#keyId,
        secret: this.#secret,
        method,
        url,
        headers,
        signedHeaders,
        ...(body === undefined ? {} : { body }),
        ...(this.#now === undefined ? {} : { now: this.#now }),
      }),
    );
    return { ...init, method, headers, body: body ?? null };
  }
}
