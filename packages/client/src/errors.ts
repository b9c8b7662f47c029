/**
 * Every way getting or using a token can fail, as a stable code.
 *
 * - `token_request_rejected`: the token endpoint answered 4xx; `oauthError` has the OAuth error.
 * - `token_endpoint_unavailable`: 5xx, 429, timeouts or network errors, after every retry.
 * - `invalid_token_response`: a 2xx answer without a usable bearer token.
 * - `discovery_failed`: the issuer's metadata could not be read or has no token endpoint.
 * - `no_audience`: the fetch wrapper found no audience for a request's target.
 * - `signing_failed`: a token or client assertion could not be signed.
 * - `unsignable_request`: the fetch wrapper's `signer` cannot sign a request: its body is a stream
 *   or `FormData` (a signature needs the exact bytes up front), or it lacks a header that
 *   `signedHeaders` lists.
 */
export type AuthClientErrorCode =
  | 'token_request_rejected'
  | 'token_endpoint_unavailable'
  | 'invalid_token_response'
  | 'discovery_failed'
  | 'no_audience'
  | 'signing_failed'
  | 'unsignable_request';

/** Options of {@link AuthClientError}. */
export interface AuthClientErrorOptions {
  /** OAuth 2.0 `error` code of a rejected token request (RFC 6749 §5.2). */
  readonly oauthError?: string;
  /** HTTP status of the last answer, if any. */
  readonly status?: number;
  /** The underlying error (never contains a secret). */
  readonly cause?: unknown;
}

/**
 * The single error type thrown when a token cannot be obtained or used, or a request cannot be
 * signed. Messages never contain tokens, client secrets or keys.
 *
 * @example
 * ```ts
 * try {
 *   await tokens.getToken('https://orders.internal');
 * } catch (err) {
 *   if (err instanceof AuthClientError && err.code === 'token_request_rejected') {
 *     console.error('token service refused:', err.oauthError); // e.g. 'invalid_client'
 *   }
 * }
 * ```
 */
export class AuthClientError extends Error {
  override readonly name = 'AuthClientError';
  /** Stable error code. */
  readonly code: AuthClientErrorCode;
  /** OAuth 2.0 `error` code (`invalid_client`, `invalid_scope`, `invalid_target`, ...), when the server sent one. */
  readonly oauthError: string | undefined;
  /** HTTP status of the last answer, if any. */
  readonly status: number | undefined;

  constructor(code: AuthClientErrorCode, message: string, options: AuthClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.oauthError = options.oauthError;
    this.status = options.status;
  }
}

/** True when `value` is an {@link AuthClientError}, also across duplicated copies of this package. */
export function isAuthClientError(value: unknown): value is AuthClientError {
  return (
    value instanceof AuthClientError ||
    (value instanceof Error &&
      value.name === 'AuthClientError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

/** Thrown at construction when an option is invalid: the same error type as the rest of the `@org/auth` packages. */
export { AuthConfigError } from '@org/auth-core';
