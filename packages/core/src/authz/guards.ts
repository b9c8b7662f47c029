import type { AuthContext } from '../auth-context.js';
import { contextOwner } from '../context-owner.js';
import { AuthError, type AuthErrorCode, withRealm } from '../errors.js';
import type { TokenKind } from '../events.js';
import type { RequestLike } from '../token/request.js';
import { CallerPatterns } from './caller-patterns.js';
import { assertRequiredPermissions } from './permissions.js';

/**
 * A per-route requirement, checked against a verified {@link AuthContext}. Adapters turn guards
 * into middleware; the decision is always made here.
 *
 * Resolves when the requirement is met; rejects with an {@link AuthError}: `missing_token` (401)
 * when the request was never authenticated, or a 401/403 code naming what was missing.
 */
export interface Guard {
  (auth: AuthContext | undefined, request?: RequestLike): Promise<void>;
  /** What the guard requires, for logs and audit events, e.g. `permission orders:create`. */
  readonly requirement: string;
}

type Decide = (auth: AuthContext, request: RequestLike | undefined) => boolean | Promise<boolean>;

function createGuard(requirement: string, code: AuthErrorCode, decide: Decide): Guard {
  const guard = async (auth: AuthContext | undefined, request?: RequestLike) => {
    if (auth === undefined) throw new AuthError('missing_token');
    if (await decide(auth, request)) return;
    const owner = contextOwner(auth);
    const error = withRealm(new AuthError(code), owner?.realm);
    owner?.emit({
      type: 'rejected',
      code: error.code,
      status: error.status,
      description: error.description,
      requirement,
      issuer: auth.issuer,
      kind: auth.kind,
      audience: auth.audience,
      ...(auth.subject === undefined ? {} : { subject: auth.subject }),
      ...(auth.caller === undefined ? {} : { caller: auth.caller }),
      ...(auth.tokenId === undefined ? {} : { tokenId: auth.tokenId }),
    });
    throw error;
  };
  return Object.assign(guard, { requirement });
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
  return createGuard(`permission ${required.join(' and ')}`, 'insufficient_permission', (auth) =>
    auth.canAll(...required),
  );
}

/**
 * Requires at least one of `permissions` (403 `insufficient_permission` otherwise).
 * @example requireAnyPermission('orders:read', 'orders:admin')
 */
export function requireAnyPermission(...permissions: string[]): Guard {
  const required = assertRequiredPermissions('requireAnyPermission', permissions);
  return createGuard(`permission ${required.join(' or ')}`, 'insufficient_permission', (auth) =>
    auth.canAny(...required),
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
 * Requires a service token from one of `callers`: exact identities or prefixes ending in `/*` or
 * `:*` (403 `caller_not_allowed` otherwise). User tokens never pass.
 * @example requireCaller('orders', 'spiffe://prod/ns/billing/*')
 */
export function requireCaller(...callers: string[]): Guard {
  const patterns = new CallerPatterns('requireCaller', callers);
  return createGuard(
    `caller ${callers.join(' or ')}`,
    'caller_not_allowed',
    (auth) => auth.kind === 'service' && patterns.matches(auth.caller),
  );
}

/**
 * Requires a kind of token: `'service'` or `'user'` (401 `invalid_token_type` otherwise), for a
 * route of an app that accepts both.
 * @example requireKind('service')
 */
export function requireKind(kind: TokenKind): Guard {
  if (kind !== 'service' && kind !== 'user') throw new TypeError('requireKind: expected "service" or "user"');
  return createGuard(`${kind} token`, 'invalid_token_type', (auth) => auth.kind === kind);
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
