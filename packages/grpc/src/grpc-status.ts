import { Metadata, type StatusObject, status } from '@grpc/grpc-js';
import { isAuthError } from '@org/auth-core';
import { rejectionResponse } from '@org/auth-core/adapter';

/**
 * The gRPC status of each HTTP status a rejection can have: the one mapping of this package.
 * 400 (a malformed `authorization` entry) is `INVALID_ARGUMENT`, 401 (missing or bad
 * credentials) `UNAUTHENTICATED`, 403 (refused by a guard or a policy) `PERMISSION_DENIED`, 503
 * (keys, revocation status unavailable) `UNAVAILABLE`.
 */
export const GRPC_STATUS_OF_HTTP: Readonly<Record<400 | 401 | 403 | 503, status>> = Object.freeze({
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  503: status.UNAVAILABLE,
});

/** Trailing metadata key of the stable error code (`token_expired`, `insufficient_permission`, ...). */
export const AUTH_ERROR_CODE_KEY = 'auth-error-code';
/** Trailing metadata key of the challenge's error (`invalid_token`, `insufficient_scope`, ...). */
export const AUTH_ERROR_KEY = 'auth-error';

/**
 * The gRPC status of an HTTP status: {@link GRPC_STATUS_OF_HTTP}, `UNKNOWN` for any other.
 *
 * @example grpcStatusOf(401) // status.UNAUTHENTICATED (16)
 */
export function grpcStatusOf(httpStatus: number): status {
  return GRPC_STATUS_OF_HTTP[httpStatus as 400 | 401 | 403 | 503] ?? status.UNKNOWN;
}

/**
 * The status a call is refused with. An `AuthError` keeps what the HTTP adapters send: the
 * client-safe description as `details`, and in trailing metadata the stable code
 * (`auth-error-code`), the challenge's error (`auth-error`) and the response headers, lower-cased
 * (`www-authenticate`, `retry-after`). Anything else (a bug, a custom check that threw) is
 * `INTERNAL` with no detail: it is never reported as a bad credential.
 *
 * @example callback(rejectionStatus(error)) // in a method of your own that checks credentials
 */
export function rejectionStatus(error: unknown): StatusObject {
  const metadata = new Metadata();
  const response = isAuthError(error) ? rejectionResponse(error, undefined) : undefined;
  if (response === undefined) return { code: status.INTERNAL, details: 'internal error', metadata };
  metadata.set(AUTH_ERROR_CODE_KEY, response.body.code);
  metadata.set(AUTH_ERROR_KEY, response.body.error);
  for (const [name, value] of Object.entries(response.headers)) metadata.set(name.toLowerCase(), value);
  return { code: grpcStatusOf(response.status), details: response.body.error_description, metadata };
}
