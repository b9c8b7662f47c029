import type { CompiledOptions } from '../options/compile-options.js';
import { grantsFromClaim, PermissionSet } from './permissions.js';

/** The permissions and roles a verified token carries, compiled once per token. */
export interface Grants {
  readonly permissions: PermissionSet;
  readonly roles: readonly string[];
}

/** Reads the permission claims and the role claim, and expands roles through the role map. */
export function grantsOf(payload: Readonly<Record<string, unknown>>, options: CompiledOptions): Grants {
  const direct: string[] = [];
  for (const claim of options.permissionClaims) direct.push(...grantsFromClaim(payload[claim]));
  let permissions = new PermissionSet(direct);
  const roles = grantsFromClaim(payload[options.roleClaim]);
  for (const role of roles) {
    const granted = options.roles.get(role);
    if (granted !== undefined) permissions = permissions.union(granted);
  }
  return { permissions, roles };
}
