import type { CallerKind } from '../events.js';
import * as guards from '../guards/guards.js';

/**
 * The guard factories of one framework, each returning that framework's middleware or hook `H`.
 * Every adapter exports the same names with the same meaning.
 */
export interface GuardFactories<H> {
  /** Requires every one of `permissions` (403 `insufficient_permission`). @example requirePermission('orders:create') */
  requirePermission(...permissions: string[]): H;
  /** Requires one of `permissions` (403 `insufficient_permission`). @example requireAnyPermission('orders:read', 'orders:admin') */
  requireAnyPermission(...permissions: string[]): H;
  /** Requires one of `roles` (403 `insufficient_role`). @example requireRole('admin', 'support') */
  requireRole(...roles: string[]): H;
  /** Requires a calling service (token, certificate or signed request) among `callers` (403 `caller_not_allowed`). @example requireCaller('orders', 'spiffe://prod/ns/billing/*') */
  requireCaller(...callers: string[]): H;
  /** Requires a kind of token (403 `token_kind_not_allowed`). @example requireKind('service') */
  requireKind(...kinds: CallerKind[]): H;
  /** A custom, possibly async requirement (403 `access_denied` when `check` resolves false). @example requireCheck('same tenant', (auth, req) => auth.claims.tenant === req.headers['x-tenant']) */
  requireCheck(requirement: string, check: Parameters<typeof guards.requireCheck>[1]): H;
  /** Requires a verified user, also one a service calls on behalf of (403 `token_kind_not_allowed`). @example requireUser() */
  requireUser(): H;
  /** Requires permissions of the user part, `auth.user` (403 `insufficient_permission`). @example requireUserPermission('orders:read') */
  requireUserPermission(...permissions: string[]): H;
  /** Requires a token bound to a client certificate or a DPoP key (403 `token_kind_not_allowed`). @example requireBoundToken('dpop') */
  requireBoundToken(binding?: 'certificate' | 'dpop'): H;
}

/**
 * Builds an adapter's guard factories from its one translation function, so the guards of every
 * framework are the core's guards, validated when the route is declared.
 */
export function adaptGuards<H>(fromGuard: (guard: guards.Guard) => H): GuardFactories<H> {
  return {
    requirePermission: (...permissions) => fromGuard(guards.requirePermission(...permissions)),
    requireAnyPermission: (...permissions) => fromGuard(guards.requireAnyPermission(...permissions)),
    requireRole: (...roles) => fromGuard(guards.requireRole(...roles)),
    requireCaller: (...callers) => fromGuard(guards.requireCaller(...callers)),
    requireKind: (...kinds) => fromGuard(guards.requireKind(...kinds)),
    requireCheck: (requirement, check) => fromGuard(guards.requireCheck(requirement, check)),
    requireUser: () => fromGuard(guards.requireUser()),
    requireUserPermission: (...permissions) => fromGuard(guards.requireUserPermission(...permissions)),
    requireBoundToken: (binding) => fromGuard(guards.requireBoundToken(binding)),
  };
}
