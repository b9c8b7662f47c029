import type { RequestLike } from '../token/request.js';
import type { IdentityInput } from './create-auth-context.js';

/** A user session found by a {@link SessionCheck}: who the user is and what they may do. */
export type SessionResult = Omit<IdentityInput, 'kind'>;

/**
 * The verifier's `sessions` hook: plugs an existing session check (a framework session, another
 * provider's verifier) in as the user side, tried before the bearer token.
 *
 * - `undefined`: the request has no session credentials; the bearer token is tried next.
 * - a {@link SessionResult}: the request is a user's, `auth.kind === 'user'`.
 * - a thrown `AuthError`: the request is rejected with it and never retried as a bearer token,
 *   so an expired session reads "session expired", not a confusing second error.
 */
export type SessionCheck = (
  request: RequestLike,
) => SessionResult | undefined | Promise<SessionResult | undefined>;
