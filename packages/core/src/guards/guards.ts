import type { AuthContext } from '../auth-context.js';
import type { Authenticator } from '../authn/authenticator.js';
import { AuthError, type AuthErrorCode } from '../errors.js';
import { CALLER_KINDS, type CallerKind } from '../events.js';
import { CallerPatterns } from '../grants/caller-patterns.js';
import { assertRequiredPermissions } from '../grants/permissions.js';
import { identityOf } from '../identity/identity-of.js';
import type { RequestLike } from '../token/request.js';

/**
 * A per-route requirement, checked against a verified {@link AuthContext}. Adapters turn guards
 * into middleware; the decision is always made here.
 *
 * Resolves when the requirement is met; rejects with an {@link AuthError}: `missing_token` (401)
 * when the request was never authenticated, or a 403 code naming what was missing. Adapters pass
 * the `authenticator` that (optionally) authenticated the request, so that even a missing-token
 * rejection carries its realm and reaches its audit events.
 */
export interface Guard {
  (auth: AuthContext | undefined, request?: RequestLike, authenticator?: Authenticator): Promise<void>;
  /** What the guard requires, for logs and audit events, e.g. `permission orders:create`. */
  readonly requirement: string;
}

type Decide = (auth: AuthContext, request: RequestLike | undefined) => boolean | Promise<boolean>;

/** What a refusal tells the client beyond its code: a description, a challenge's `scope`. */
interface Explanation {
  readonly description?: string;
  readonly challengeParams?: Readonly<Record<string, string>>;
}

function createGuard(
  requirement: string,
  code: AuthErrorCode,
  decide: Decide,
  explain: (auth: AuthContext) => Explanation = () => ({}),
): Guard {
  const guard = async (
    auth: AuthContext | undefined,
    request?: RequestLike,
    authenticator?: Authenticator,
  ) => {
    if (auth !== undefined && (await decide(auth, request))) return;
    throw refuse(auth, authenticator, code, requirement, auth === undefined ? {} : explain(auth));
  };
  return Object.assign(guard, { requirement });
}

/**
 * @internal A route's refusal: `missing_token` without auth context, else `code`, made and
 * reported by the rejector of the authenticator behind the request, with the context's scheme.
 */
export function refuse(
  auth: AuthContext | undefined,
  authenticator: Authenticator | undefined,
  code: AuthErrorCode,
  requirement: string,
  explanation: Explanation & { readonly policy?: string | undefined } = {},
): AuthError {
  const rejector = auth?.rejector ?? authenticator?.rejector;
  if (auth === undefined) {
    return rejector === undefined
      ? new AuthError('missing_token')
      : rejector.refuse('missing_token', {}, {}, { requirement });
  }
  const { description, challengeParams, policy } = explanation;
  const options = {
    scheme: auth.scheme,
    ...(description === undefined ? {} : { description }),
    ...(challengeParams === undefined ? {} : { challengeParams }),
  };
  if (rejector === undefined) return new AuthError(code, options);
  return rejector.refuse(code, identityOf(auth), options, {
    requirement,
    ...(policy === undefined ? {} : { policy }),
  });
}

/**
 * The answer to a caller that lacks permissions: which ones, in the description and in RFC 6750's
 * `scope` attribute of the challenge, so the calling team knows what to ask for.
 */
function missingPermissions(missing: readonly string[]): Explanation {
  return {
    description: `missing permission${missing.length === 1 ? '' : 's'} ${missing.join(' ')}`,
    challengeParams: { scope: missing.join(' ') },
  };
}

/**
 * Requires every one of `permissions` (403 `insufficient_permission` otherwise). Wildcards in a
 * *required* permission are a configuration error: require `orders:create`, grant `orders:*`.
 *
 * @example requirePermission('orders:create')
 * @throws {AuthConfigError} when a permission is malformed or a wildcard
 */
export function requirePermission(...permissions: string[]): Guard {
  const required = assertRequiredPermissions('requirePermission', permissions);
  return createGuard(
    `permission ${required.join(' and ')}`,
    'insufficient_permission',
    (auth) => auth.canAll(...required),
    (auth) => missingPermissions(required.filter((permission) => !auth.can(permission))),
  );
}

/**
 * Requires at least one of `permissions` (403 `insufficient_permission` otherwise).
 * @example requireAnyPermission('orders:read', 'orders:admin')
 */
export function requireAnyPermission(...permissions: string[]): Guard {
  const required = assertRequiredPermissions('requireAnyPermission', permissions);
  const description = `requires one of the permissions ${required.join(', ')}`;
  return createGuard(
    `permission ${required.join(' or ')}`,
    'insufficient_permission',
    (auth) => auth.canAny(...required),
    () => ({ description }),
  );
}

/**
 * Requires at least one of `roles` (403 `insufficient_role` otherwise).
 * @example requireRole('admin', 'support')
 */
export function requireRole(...roles: string[]): Guard {
  if (roles.length === 0 || roles.some((role) => typeof role !== 'string' || role === '')) {
    throw new TypeError('requireRole: name at least one role, such as requireRole("admin")');
  }
  return createGuard(`role ${roles.join(' or ')}`, 'insufficient_role', (auth) =>
    roles.some((role) => auth.hasRole(role)),
  );
}

/**
 * Requires a calling service among `callers`: exact identities or prefixes ending in `/*` or
 * `:*` (403 `caller_not_allowed` otherwise). The caller is a service token's caller, a client
 * certificate's identity (`mtls`) or a signed request's key id (`hmac`); users never pass.
 * @example requireCaller('orders', 'spiffe://prod/ns/billing/*')
 */
export function requireCaller(...callers: string[]): Guard {
  const patterns = new CallerPatterns('requireCaller', callers);
  return createGuard(
    `caller ${callers.join(' or ')}`,
    'caller_not_allowed',
    (auth) => auth.kind !== 'user' && patterns.matches(auth.caller),
  );
}

/**
 * Requires a sender-constrained token (403 `token_kind_not_allowed` otherwise): one bound to the
 * client certificate of the connection (RFC 8705 `cnf.x5t#S256`), to a DPoP key (RFC 9449
 * `cnf.jkt`), or either when `binding` is left out. The verifier has already checked the binding;
 * this makes it a requirement of the route, for services that also accept bearer tokens
 * elsewhere. A client-certificate identity (`mtls`) counts as bound to its certificate.
 * @example requireBoundToken('dpop')
 */
export function requireBoundToken(binding?: 'certificate' | 'dpop'): Guard {
  if (binding !== undefined && binding !== 'certificate' && binding !== 'dpop') {
    throw new TypeError('requireBoundToken: expected "certificate", "dpop" or nothing (either)');
  }
  const members = binding === undefined ? ['x5t#S256', 'jkt'] : [binding === 'dpop' ? 'jkt' : 'x5t#S256'];
  const isBound = (auth: AuthContext) => {
    const cnf = auth.kind === 'mtls' ? { 'x5t#S256': auth.claims['x5t#S256'] } : auth.claims.cnf;
    return (
      typeof cnf === 'object' &&
      cnf !== null &&
      members.some((member) => typeof (cnf as Record<string, unknown>)[member] === 'string')
    );
  };
  return createGuard(
    `token bound to ${binding === undefined ? 'a certificate or DPoP key' : binding === 'dpop' ? 'a DPoP key' : 'a client certificate'}`,
    'token_kind_not_allowed',
    isBound,
    () => ({ description: 'sender-constrained token required' }),
  );
}

/**
 * Requires one of some kinds of credentials: `'service'`, `'user'`, `'mtls'` or `'hmac'` (403
 * `token_kind_not_allowed` otherwise), for a route of an app that accepts several. The
 * credentials themselves are valid, so this is a 403, not a 401 that would make the client fetch
 * a new token for nothing.
 * @example requireKind('service') // requireKind('service', 'mtls')
 */
export function requireKind(...kinds: CallerKind[]): Guard {
  if (kinds.length === 0 || !kinds.every((kind) => CALLER_KINDS.includes(kind))) {
    throw new TypeError(
      `requireKind: expected one or more of ${CALLER_KINDS.map((k) => `"${k}"`).join(', ')}`,
    );
  }
  const allowed = new Set(kinds);
  return createGuard(`kind ${kinds.join(' or ')}`, 'token_kind_not_allowed', (auth) =>
    allowed.has(auth.kind),
  );
}

/**
 * A custom requirement; `check` may be async and sees the whole context and the request.
 * Returning false answers 403 `access_denied`.
 * @example requireCheck('same tenant', (auth, req) => auth.claims.tenant === tenantOf(req))
 */
export function requireCheck(
  requirement: string,
  check: (auth: AuthContext, request: RequestLike | undefined) => boolean | Promise<boolean>,
): Guard {
  if (typeof check !== 'function')
    throw new TypeError('requireCheck: expected a function as second argument');
  return createGuard(requirement, 'access_denied', check);
}

/**
 * Requires a verified user: a user token or session, or a service calling on behalf of a user
 * (`auth.user` set; 403 `token_kind_not_allowed` otherwise).
 * @example requireUser()
 */
export function requireUser(): Guard {
  return createGuard('a user', 'token_kind_not_allowed', (auth) => auth.user !== undefined);
}

/**
 * Requires every one of `permissions` on the *user* part of the request (`auth.user`): the user's
 * own token when a service calls on their behalf (403 `insufficient_permission` otherwise, also
 * when there is no user).
 * @example requireUserPermission('orders:read')
 */
export function requireUserPermission(...permissions: string[]): Guard {
  const required = assertRequiredPermissions('requireUserPermission', permissions);
  return createGuard(
    `user permission ${required.join(' and ')}`,
    'insufficient_permission',
    (auth) => (auth.user === undefined ? false : auth.user.canAll(...required)),
    (auth) => ({
      description:
        auth.user === undefined
          ? 'no user in the request'
          : `user lacks permission ${required.filter((permission) => !auth.user?.can(permission)).join(' ')}`,
    }),
  );
}
