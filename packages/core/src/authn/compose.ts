import type { AuthContext, Rejector } from '../auth-context.js';
import { AuthConfigError, AuthError, isAuthError } from '../errors.js';
import type { Authenticator } from './authenticator.js';

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

/** The first HTTP-only mechanism of a composition: one is enough to tie it to HTTP. */
function httpOnlyOf(authenticators: readonly Authenticator[]): Authenticator['httpOnly'] {
  return authenticators.find((authenticator) => authenticator.httpOnly !== undefined)?.httpOnly;
}

/** A composition answers like its first authenticator that has a rejector (realm, scheme, events). */
function rejectorOf(authenticators: readonly Authenticator[]): Rejector | undefined {
  return authenticators.find((authenticator) => authenticator.rejector !== undefined)?.rejector;
}

/**
 * A failure as the composition answers it: with its realm and, when it came from an authenticator
 * without a rejector of its own (a custom one), a `rejected` event (the others reported theirs).
 */
function failure(rejector: Rejector | undefined, error: AuthError, source: Authenticator): AuthError {
  return rejector === undefined ? error : rejector.relay(error, source.rejector !== undefined);
}

function missingCredentials(rejector: Rejector | undefined): AuthError {
  const options = { description: 'missing credentials', scheme: 'Bearer' } as const;
  return rejector === undefined
    ? new AuthError('missing_token', options)
    : rejector.refuse('missing_token', {}, options);
}

/**
 * Accepts a request that any one of `authenticators` accepts, tried in order (a gateway's
 * "requires any"). When all fail, the answer is the most relevant failure (see
 * `relevance` below), not the last one: a bad token beats a missing API key. Errors that are not
 * `AuthError`s (bugs) are thrown at once.
 *
 * @example serviceAuth({ authenticator: anyOf(verifier, apiKeys) })
 */
export function anyOf(...authenticators: Authenticator[]): Authenticator {
  check('anyOf', authenticators);
  const rejector = rejectorOf(authenticators);
  return {
    rejector,
    signsBodies: authenticators.some((authenticator) => authenticator.signsBodies === true),
    httpOnly: httpOnlyOf(authenticators),
    async authenticate(request, options = {}) {
      let best: { error: AuthError; source: Authenticator } | undefined;
      for (const authenticator of authenticators) {
        try {
          const auth = await authenticator.authenticate(request, { ...options, optional: true });
          if (auth !== undefined) return auth;
        } catch (error) {
          if (!isAuthError(error)) throw error;
          if (best === undefined || relevance(error) > relevance(best.error)) {
            best = { error, source: authenticator };
          }
        }
      }
      if (best !== undefined) throw failure(rejector, best.error, best.source);
      if (options.optional) return undefined;
      throw missingCredentials(rejector);
    },
  };
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
  const rejector = rejectorOf(authenticators);
  return {
    rejector,
    signsBodies: authenticators.some((authenticator) => authenticator.signsBodies === true),
    httpOnly: httpOnlyOf(authenticators),
    async authenticate(request, options = {}) {
      const contexts: (AuthContext | undefined)[] = [];
      for (const authenticator of authenticators) {
        try {
          contexts.push(await authenticator.authenticate(request, { ...options, optional: true }));
        } catch (error) {
          throw isAuthError(error) ? failure(rejector, error, authenticator) : error;
        }
      }
      const found = contexts.filter((auth) => auth !== undefined);
      if (found.length === contexts.length) return found[0];
      if (found.length === 0 && options.optional) return undefined;
      throw missingCredentials(rejector);
    },
  };
}
