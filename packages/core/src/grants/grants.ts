import { claimName, claimNames } from '../lib/option-checks.js';
import { grantsFromClaim, PermissionSet } from './permissions.js';
import { type CompiledRoleMap, compileRoleMap, type RoleMap } from './role-map.js';

/** The verifier options that say where a token's permissions and roles are. */
export interface GrantOptions {
  /**
   * Claims that list granted permissions: arrays of strings, or space-separated strings such as
   * OAuth's `scope`. Default `['permissions', 'scope']`.
   */
  readonly permissionClaims?: readonly string[];
  /** Claim with the token's role names. Default `'roles'`. */
  readonly roleClaim?: string;
  /** Permissions granted by each role, e.g. `{ admin: ['*'], support: ['orders:read', 'tickets:*'] }`. */
  readonly roles?: RoleMap;
}

/** {@link GrantOptions}, compiled. */
export interface GrantRules {
  readonly permissionClaims: readonly string[];
  readonly roleClaim: string;
  readonly roles: CompiledRoleMap;
}

/** @throws {AuthConfigError} naming the option */
export function compileGrantRules(options: GrantOptions): GrantRules {
  return {
    permissionClaims: claimNames('permissionClaims', options.permissionClaims ?? ['permissions', 'scope']),
    roleClaim: claimName('roleClaim', options.roleClaim ?? 'roles'),
    roles: compileRoleMap('roles', options.roles),
  };
}

/** The permissions and roles a verified token carries, compiled once per token. */
export interface Grants {
  readonly permissions: PermissionSet;
  readonly roles: readonly string[];
}

/** Reads the permission claims and the role claim, and expands roles through the role map. */
export function grantsOf(payload: Readonly<Record<string, unknown>>, rules: GrantRules): Grants {
  const direct: string[] = [];
  for (const claim of rules.permissionClaims) direct.push(...grantsFromClaim(payload[claim]));
  let permissions = new PermissionSet(direct);
  const roles = grantsFromClaim(payload[rules.roleClaim]);
  for (const role of roles) {
    const granted = rules.roles.get(role);
    if (granted !== undefined) permissions = permissions.union(granted);
  }
  return { permissions, roles };
}
