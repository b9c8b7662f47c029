import type { AuthContext } from '../auth-context.js';
import { AuthError } from '../errors.js';
import type { RevocationStore } from '../revocation/revocation-store.js';
import type { RequestLike } from '../token/request.js';

/**
 * A custom check, run after every built-in check with the whole verified context. Return
 * `false` (or throw an `AuthError`) to reject; `false` answers 403 `access_denied`.
 */
export type AuthCheck = (
  auth: AuthContext,
  request: RequestLike | undefined,
) => CheckResult | Promise<CheckResult>;

/** What a custom check returns: `false` rejects; `true`, nothing or `undefined` lets it pass. */
// biome-ignore lint/suspicious/noConfusingVoidType: an async check that only throws returns Promise<void>.
export type CheckResult = boolean | undefined | void;

/**
 * The revocation step: asks the store about the token, on every request.
 * @throws {AuthError} `token_revoked`, or `revocation_unavailable` (503) when the store fails
 */
export async function checkRevocation(store: RevocationStore, context: AuthContext): Promise<void> {
  let revoked: boolean;
  try {
    revoked = await store.isRevoked({
      issuer: context.issuer,
      tokenId: context.tokenId,
      // The token's `sub`: for a token-exchange token that is the user, not the acting service.
      subject: (context.user ?? context).subject,
      issuedAt: typeof context.claims.iat === 'number' ? context.claims.iat : undefined,
      expiresAt: context.expiresAt,
    });
  } catch (cause) {
    throw new AuthError('revocation_unavailable', { cause, retryAfter: 5 });
  }
  if (revoked) throw new AuthError('token_revoked');
}

/**
 * The custom-check step: each check in order; `false` is 403 `access_denied`.
 * @throws {AuthError} `access_denied`, or whatever a check throws
 */
export async function runChecks(
  checks: readonly AuthCheck[],
  context: AuthContext,
  request: RequestLike | undefined,
): Promise<void> {
  for (const check of checks) {
    if ((await check(context, request)) === false) throw new AuthError('access_denied');
  }
}
