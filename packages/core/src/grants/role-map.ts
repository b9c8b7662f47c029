import { AuthConfigError } from '../errors.js';
import { isGrant, PermissionSet } from './permissions.js';

/** Maps a role to the permissions it grants, e.g. `{ admin: ['*'], support: ['orders:read', 'tickets:*'] }`. */
export type RoleMap = Readonly<Record<string, readonly string[]>>;

/** A role map compiled at construction: role name to its permission set. */
export type CompiledRoleMap = ReadonlyMap<string, PermissionSet>;

/** Validates and compiles a role map; every grant must be well-formed (wildcards allowed). */
export function compileRoleMap(option: string, roles: RoleMap | undefined): CompiledRoleMap {
  const compiled = new Map<string, PermissionSet>();
  if (roles === undefined) return compiled;
  if (typeof roles !== 'object' || roles === null || Array.isArray(roles)) {
    throw new AuthConfigError(
      option,
      "expected an object such as { admin: ['*'], support: ['orders:read'] }",
    );
  }
  for (const [role, grants] of Object.entries(roles)) {
    if (!Array.isArray(grants)) {
      throw new AuthConfigError(`${option}.${role}`, 'expected an array of permissions');
    }
    for (const [index, grant] of grants.entries()) {
      if (!isGrant(grant)) {
        throw new AuthConfigError(
          `${option}.${role}[${index}]`,
          'expected a permission such as "orders:read", a prefix grant such as "orders:*", or "*"',
        );
      }
    }
    compiled.set(role, new PermissionSet(grants));
  }
  return compiled;
}
