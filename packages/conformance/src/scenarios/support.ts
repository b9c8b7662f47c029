/** Builders shared by the scenarios of several concerns: credentials and expected answers. */
import type { Kit } from '../app-spec.js';
import { USER_TOKEN_HEADER } from '../app-spec.js';
import type { Expectation } from './scenario.js';

export const bearer = (token: string) => `Bearer ${token}`;

/** A bearer token of issuer A; time claims are given as a function, evaluated at request time. */
export const withToken =
  (claims: Record<string, unknown> | (() => Record<string, unknown>) = {}) =>
  async (kit: Kit) =>
    bearer(await kit.token(typeof claims === 'function' ? claims() : claims));

/** Claims that make a token of issuer A a user token of alice. */
export const user = { source: undefined, sub: 'alice@example.com' };

/** The auth context of a default token of issuer A (service `orders`). */
export const service = {
  kind: 'service',
  issuer: 'https://auth-a.internal',
  caller: 'orders',
  subject: 'orders',
};

/** The Bearer challenge of a rejection (RFC 6750 §3). */
export function challenge(error: string, description: string): string {
  return `Bearer realm="payments", error="${error}", error_description="${description}"`;
}

/** A rejection: the RFC 6750 error of the status, the exact challenge and the JSON body with `code`. */
export function rejected(status: 400 | 401 | 403, code: string, description: string): Expectation {
  const error = { 400: 'invalid_request', 401: 'invalid_token', 403: 'insufficient_scope' }[status];
  return {
    status,
    wwwAuthenticate: challenge(error, description),
    body: { error, error_description: description, code },
  };
}

/** A rejection challenged with another scheme than Bearer (`mTLS`, `DPoP`, `HMAC-SHA256`). */
export function rejectedWith(
  scheme: string,
  status: 400 | 401 | 403,
  code: string,
  description: string,
): Expectation {
  const expectation = rejected(status, code, description);
  return {
    ...expectation,
    wwwAuthenticate: (expectation.wwwAuthenticate ?? '').replace(/^Bearer /, `${scheme} `),
  };
}

export const missingToken: Expectation = {
  status: 401,
  wwwAuthenticate: 'Bearer realm="payments"',
  body: { error: 'unauthorized', error_description: 'missing bearer token', code: 'missing_token' },
};

/** A guard's `missing_token` on a request no verifier ever saw: there is no realm to know. */
export const missingTokenNoRealm: Expectation = { ...missingToken, wwwAuthenticate: 'Bearer' };

/**
 * A 403 for missing permissions: named in the description and in the challenge's RFC 6750 `scope`
 * attribute (after the description), with the given scheme.
 */
export function missingPermission(permissions: readonly string[], scheme = 'Bearer'): Expectation {
  const description = `missing permission${permissions.length === 1 ? '' : 's'} ${permissions.join(' ')}`;
  const expectation = rejectedWith(scheme, 403, 'insufficient_permission', description);
  return {
    ...expectation,
    wwwAuthenticate: `${expectation.wwwAuthenticate}, scope="${permissions.join(' ')}"`,
  };
}

/** A 200 echoing an auth context with these fields (`null`: no auth context). */
export const ok = (auth: Record<string, unknown> | null): Expectation => ({
  status: 200,
  wwwAuthenticate: null,
  auth,
});

/** An `x-user-token` header with a user token of issuer A for alice (claims patch it). */
export const forwardedUser =
  (claims: Record<string, unknown> | (() => Record<string, unknown>) = {}) =>
  async (kit: Kit) => ({
    [USER_TOKEN_HEADER]: await kit.token({ ...user, ...(typeof claims === 'function' ? claims() : claims) }),
  });
