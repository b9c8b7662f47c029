import { AuthConfigError } from '../errors.js';
import { CallerPatterns } from '../grants/caller-patterns.js';
import { isGrant } from '../grants/permissions.js';

/** What one identity (or every identity under a pattern) may do. */
export interface MtlsGrant {
  /** Permissions granted directly (`orders:read`, `orders:*`, `*`). Default none. */
  readonly permissions?: readonly string[];
  /** Role names, expanded through the `roles` map. Default none. */
  readonly roles?: readonly string[];
}

/** The permissions and roles of one identity. */
export interface Granted {
  readonly permissions: readonly string[];
  readonly roles: readonly string[];
}

/** @internal the `grants` option, compiled: finds everything granted to an identity. */
export type GrantLookup = (identity: string) => Granted;

const NOTHING: Granted = Object.freeze({ permissions: Object.freeze([]), roles: Object.freeze([]) });

/**
 * Compiles `grants`: keys are exact identities or prefix patterns (`spiffe://prod.example/ns/billing/*`);
 * an identity gets the union of every entry that matches it.
 * @throws {AuthConfigError}
 */
export function compileGrants(
  grants: Readonly<Record<string, MtlsGrant>> | undefined,
  knownRoles: ReadonlyMap<string, unknown>,
): GrantLookup {
  if (grants === undefined) return () => NOTHING;
  if (typeof grants !== 'object' || grants === null || Array.isArray(grants)) {
    throw new AuthConfigError(
      'grants',
      "expected an object such as { 'spiffe://prod.example/ns/billing/sa/api': { permissions: ['orders:read'] } }",
    );
  }
  const exact = new Map<string, Granted>();
  const prefixed: { readonly pattern: CallerPatterns; readonly granted: Granted }[] = [];
  for (const [identity, grant] of Object.entries(grants)) {
    const option = `grants["${identity}"]`;
    const pattern = new CallerPatterns(option, [identity]);
    const granted = compileGrant(option, grant, knownRoles);
    if (identity.endsWith('*')) prefixed.push({ pattern, granted });
    else exact.set(identity, granted);
  }
  if (prefixed.length === 0) return (identity) => exact.get(identity) ?? NOTHING;
  return (identity) => {
    const matching = prefixed
      .filter((entry) => entry.pattern.matches(identity))
      .map((entry) => entry.granted);
    const own = exact.get(identity);
    if (own !== undefined) matching.push(own);
    if (matching.length <= 1) return matching[0] ?? NOTHING;
    return {
      permissions: [...new Set(matching.flatMap((granted) => granted.permissions))],
      roles: [...new Set(matching.flatMap((granted) => granted.roles))],
    };
  };
}

function compileGrant(option: string, grant: MtlsGrant, knownRoles: ReadonlyMap<string, unknown>): Granted {
  if (typeof grant !== 'object' || grant === null || Array.isArray(grant)) {
    throw new AuthConfigError(option, "expected { permissions: ['orders:read'], roles: ['reader'] }");
  }
  for (const key of Object.keys(grant)) {
    if (key !== 'permissions' && key !== 'roles') {
      throw new AuthConfigError(
        `${option}.${key}`,
        'unknown option; known options here are permissions, roles',
      );
    }
  }
  const permissions = grant.permissions ?? [];
  if (!Array.isArray(permissions)) throw new AuthConfigError(`${option}.permissions`, 'expected an array');
  for (const [index, permission] of permissions.entries()) {
    if (!isGrant(permission)) {
      throw new AuthConfigError(
        `${option}.permissions[${index}]`,
        'expected a permission such as "orders:read", a prefix grant such as "orders:*", or "*"',
      );
    }
  }
  const roles = grant.roles ?? [];
  if (!Array.isArray(roles) || roles.some((role) => typeof role !== 'string' || role === '')) {
    throw new AuthConfigError(`${option}.roles`, 'expected an array of role names from the roles option');
  }
  for (const [index, role] of roles.entries()) {
    if (!knownRoles.has(role)) {
      throw new AuthConfigError(
        `${option}.roles[${index}]`,
        `"${role}" is not in the roles option; define it there, e.g. roles: { ${JSON.stringify(role)}: ['orders:read'] }`,
      );
    }
  }
  return Object.freeze({ permissions: Object.freeze([...permissions]), roles: Object.freeze([...roles]) });
}
