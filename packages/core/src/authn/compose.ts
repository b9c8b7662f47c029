import type { AuthContext } from '../auth-context.js';
import { ownerOf, setOwner } from '../context-owner.js';
import { AuthConfigError, AuthError, isAuthError, withRealm } from '../errors.js';
import { markSignsBodies, signsBodies } from '../hmac/body-digest.js';
import type { RequestLike } from '../token/request.js';
import type { AuthenticateOptions } from '../verifier.js';

/**
 * Anything that authenticates a request: a `Verifier` (JWT bearer tokens, sessions), a
 * composition ({@link anyOf}, {@link allOf}), or your own. Adapters accept one as
 * `{ authenticator }` in place of verifier options.
 *
 * Contract: with `{ optional: true }`, resolve to `undefined` when the request carries no
 * credentials of this kind; resolve to a context when they are good; reject with an `AuthError`
 * when they are not. Build contexts of your own with `createAuthContext`.
 */
export interface Authenticator {
  authenticate(request: RequestLike, options?: AuthenticateOptions): Promise<AuthContext | undefined>;
  /**
   * Optional fast path: the context when it can be decided synchronously and positively (a
   * `Verifier`'s cache hit), else `undefined`, and then `authenticate` decides. Never throws.
   */
  authenticateCached?(request: RequestLike): AuthContext | undefined;
}

/**
 * How relevant a failure is when every authenticator of {@link anyOf} failed; the highest wins,
 * the first one on a tie:
 * 4. unavailable (503): the server could not decide; retrying may succeed, other credentials won't help;
 * 3. forbidden (403): credentials were good but not enough;
 * 2. malformed request (400);
 * 1. bad credentials (401 other than `missing_token`);
 * 0. no credentials (`missing_token`).
 */
export function relevance(error: AuthError): number {
  if (error.code === 'missing_token') return 0;
  return { 401: 1, 400: 2, 403: 3, 503: 4 }[error.status];
}

function check(name: string, authenticators: readonly Authenticator[]): void {
  if (authenticators.length === 0) throw new AuthConfigError(name, 'expected at least one authenticator');
  for (const [index, authenticator] of authenticators.entries()) {
    if (typeof authenticator?.authenticate !== 'function') {
      throw new AuthConfigError(
        `${name}[${index}]`,
        'expected a Verifier or an { authenticate(request) } object',
      );
    }
  }
}

/** A composition's realm and audit events are those of its first authenticator that has some. */
function adopt(composite: Authenticator, authenticators: readonly Authenticator[]): Authenticator {
  const owner = authenticators
    .map((authenticator) => ownerOf(authenticator))
    .find((found) => found !== undefined);
  if (owner !== undefined) setOwner(composite, owner);
  if (authenticators.some(signsBodies)) markSignsBodies(composite);
  return composite;
}

/**
 * A failure as the composition answers it: with its realm and, when it came from an authenticator
 * without audit events of its own (a custom one), a `rejected` event (a verifier has sent its own).
 */
function failure(composite: Authenticator, error: AuthError, source: Authenticator): AuthError {
  const owner = ownerOf(composite);
  const answer = withRealm(error, owner?.realm);
  if (ownerOf(source) === undefined) {
    owner?.emit({
      type: 'rejected',
      code: answer.code,
      status: answer.status,
      description: answer.description,
    });
  }
  return answer;
}

function missingCredentials(composite: Authenticator): AuthError {
  const owner = ownerOf(composite);
  const error = withRealm(
    new AuthError('missing_token', { description: 'missing credentials' }),
    owner?.realm,
  );
  owner?.emit({ type: 'rejected', code: error.code, status: error.status, description: error.description });
  return error;
}

/**
 * Accepts a request that any one of `authenticators` accepts, tried in order (a gateway's
 * "requires any"). When all fail, the answer is the most relevant failure (see
 * {@link relevance}), not the last one: a bad token beats a missing API key. Errors that are not
 * `AuthError`s (bugs) are thrown at once.
 *
 * @example serviceAuth({ authenticator: anyOf(verifier, apiKeys) })
 */
export function anyOf(...authenticators: Authenticator[]): Authenticator {
  check('anyOf', authenticators);
  const composite: Authenticator = {
    async authenticate(request, options = {}) {
      let best: { error: AuthError; source: Authenticator } | undefined;
      for (const authenticator of authenticators) {
        try {
          const auth = await authenticator.authenticate(request, { optional: true });
          if (auth !== undefined) return auth;
        } catch (error) {
          if (!isAuthError(error)) throw error;
          if (best === undefined || relevance(error) > relevance(best.error)) {
            best = { error, source: authenticator };
          }
        }
      }
      if (best !== undefined) throw failure(composite, best.error, best.source);
      if (options.optional) return undefined;
      throw missingCredentials(composite);
    },
  };
  return adopt(composite, authenticators);
}

/**
 * Accepts a request only when every one of `authenticators` accepts it (a gateway's "requires
 * all"), e.g. a bearer token *and* a client certificate. The first failure, in order, is the
 * answer; a missing credential is 401 `missing_token` ("missing credentials"). Resolves to the
 * first authenticator's context.
 *
 * @example serviceAuth({ authenticator: allOf(verifier, apiKeys) })
 */
export function allOf(...authenticators: Authenticator[]): Authenticator {
  check('allOf', authenticators);
  const composite: Authenticator = {
    async authenticate(request, options = {}) {
      const contexts: (AuthContext | undefined)[] = [];
      for (const authenticator of authenticators) {
        try {
          contexts.push(await authenticator.authenticate(request, { optional: true }));
        } catch (error) {
          throw isAuthError(error) ? failure(composite, error, authenticator) : error;
        }
      }
      const found = contexts.filter((auth) => auth !== undefined);
      if (found.length === contexts.length) return found[0];
      if (found.length === 0 && options.optional) return undefined;
      throw missingCredentials(composite);
    },
  };
  return adopt(composite, authenticators);
}
