import { AuthConfigError } from '../errors.js';

// A permission is one or more segments joined by ':'; a segment is letters, digits and . _ - /
// (`orders:create`, `inventory:items:read`, `billing.v2:refund`).
const SEGMENT = '[A-Za-z0-9._/-]+';
const PERMISSION = new RegExp(`^${SEGMENT}(?::${SEGMENT})*$`);
const PREFIX_GRANT = new RegExp(`^(${SEGMENT}(?::${SEGMENT})*):\\*$`);
const MAX_PERMISSION_LENGTH = 256;

/** True when `value` is a concrete permission such as `orders:create` (no wildcard). */
export function isPermission(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_PERMISSION_LENGTH && PERMISSION.test(value);
}

/** True when `value` is a well-formed grant: a permission, a prefix grant (`orders:*`) or `*`. */
export function isGrant(value: unknown): value is string {
  return (
    value === '*' ||
    isPermission(value) ||
    (typeof value === 'string' && value.length <= MAX_PERMISSION_LENGTH && PREFIX_GRANT.test(value))
  );
}

/**
 * What a token is allowed to do, compiled once per verified token so that every check costs a
 * few set look-ups.
 *
 * Grants: a concrete permission grants exactly itself; `*` grants everything; a final `:*`
 * grants the prefix's descendants (`orders:*` grants `orders:read` and `orders:items:read`, not
 * `orders` and not `orders-archive:read`). A malformed grant grants nothing.
 */
export class PermissionSet {
  /** The permission set that grants nothing. */
  static readonly EMPTY = new PermissionSet([]);

  readonly #all: boolean;
  readonly #exact: Set<string>;
  /** Prefixes of `:*` grants, each with its trailing ':' (`orders:`). */
  readonly #prefixes: Set<string>;
  /** The well-formed grants, as given. */
  readonly grants: readonly string[];

  constructor(grants: Iterable<string>) {
    let all = false;
    const exact = new Set<string>();
    const prefixes = new Set<string>();
    const kept: string[] = [];
    for (const grant of grants) {
      if (!isGrant(grant)) continue;
      if (grant === '*') all = true;
      else if (grant.endsWith(':*')) prefixes.add(grant.slice(0, -1));
      else exact.add(grant);
      kept.push(grant);
    }
    this.#all = all;
    this.#exact = exact;
    this.#prefixes = prefixes;
    this.grants = Object.freeze(kept);
  }

  /** True when the grants include `permission` (a concrete permission, validated by the caller). */
  has(permission: string): boolean {
    if (this.#all || this.#exact.has(permission)) return true;
    if (this.#prefixes.size === 0) return false;
    // Walk the ancestors: `a:b:c` is granted by `a:*` and `a:b:*`.
    let end = permission.indexOf(':');
    while (end !== -1) {
      if (this.#prefixes.has(permission.slice(0, end + 1))) return true;
      end = permission.indexOf(':', end + 1);
    }
    return false;
  }

  /** A new set with the grants of both. */
  union(other: PermissionSet): PermissionSet {
    if (other.grants.length === 0) return this;
    if (this.grants.length === 0) return other;
    return new PermissionSet([...this.grants, ...other.grants]);
  }
}

/**
 * Validates permissions that a route requires: concrete, never a wildcard.
 * @throws {AuthConfigError} naming `option` when one is not a concrete permission
 */
export function assertRequiredPermissions(option: string, permissions: readonly unknown[]): string[] {
  if (permissions.length === 0) {
    throw new AuthConfigError(option, 'name at least one permission, such as "orders:create"');
  }
  return permissions.map((permission, index) => {
    if (typeof permission === 'string' && permission.includes('*')) {
      throw new AuthConfigError(
        `${option}[${index}]`,
        `a required permission cannot be a wildcard (got "${permission}"); require the concrete permission, such as "orders:create"`,
      );
    }
    if (!isPermission(permission)) {
      throw new AuthConfigError(
        `${option}[${index}]`,
        'expected a permission such as "orders:create": segments of letters, digits, ".", "_", "-" or "/" joined by ":"',
      );
    }
    return permission;
  });
}

/** Reads grants from a claim value: an array of strings, or a space-separated string (`scope`). */
export function grantsFromClaim(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((part) => part !== '');
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
