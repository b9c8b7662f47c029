import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertRequiredPermissions,
  grantsFromClaim,
  isGrant,
  isPermission,
  PermissionSet,
} from '../../src/grants/permissions.js';
import { AuthConfigError } from '../../src/index.js';

const segment = fc.stringMatching(/^[a-z0-9._/-]{1,8}$/);
const permission = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(':'));

describe('PermissionSet', () => {
  it('grants exactly the listed permissions', () => {
    const set = new PermissionSet(['orders:read', 'orders:create']);
    expect(set.has('orders:read')).toBe(true);
    expect(set.has('orders:create')).toBe(true);
    expect(set.has('orders:delete')).toBe(false);
    expect(set.has('orders')).toBe(false);
  });

  it('"*" grants everything', () => {
    const set = new PermissionSet(['*']);
    expect(set.has('orders:create')).toBe(true);
    expect(set.has('anything:at:all')).toBe(true);
  });

  it('"orders:*" grants the prefix and everything below it', () => {
    const set = new PermissionSet(['orders:*']);
    expect(set.has('orders:read')).toBe(true);
    expect(set.has('orders:items:read')).toBe(true);
  });

  it('"orders:*" grants neither "orders" nor "orders-archive:read" nor "ordersx:read"', () => {
    const set = new PermissionSet(['orders:*']);
    expect(set.has('orders')).toBe(false);
    expect(set.has('orders-archive:read')).toBe(false);
    expect(set.has('ordersx:read')).toBe(false);
    expect(set.has('payments:orders:read')).toBe(false);
  });

  it('nested prefixes grant only their own subtree', () => {
    const set = new PermissionSet(['orders:items:*']);
    expect(set.has('orders:items:read')).toBe(true);
    expect(set.has('orders:read')).toBe(false);
  });

  it.each([
    ['*:read'],
    ['orders*'],
    ['orders:*:read'],
    ['orders:'],
    [':orders'],
    ['orders::read'],
    ['orders read'],
    [''],
    ['**'],
    ['x'.repeat(300)],
  ])('a malformed grant %j grants nothing', (grant) => {
    const set = new PermissionSet([grant]);
    expect(set.grants).toEqual([]);
    expect(set.has('orders:read')).toBe(false);
  });

  it('ignores non-string grants', () => {
    expect(new PermissionSet([1, null, { a: 1 }] as never).grants).toEqual([]);
  });

  it('unions two sets', () => {
    const union = new PermissionSet(['orders:read']).union(new PermissionSet(['tickets:*']));
    expect(union.has('orders:read')).toBe(true);
    expect(union.has('tickets:close')).toBe(true);
    const empty = PermissionSet.EMPTY;
    const set = new PermissionSet(['a']);
    expect(set.union(empty)).toBe(set);
    expect(empty.union(set)).toBe(set);
  });

  describe('properties', () => {
    it('a concrete grant grants itself and nothing else of the same length', () => {
      fc.assert(
        fc.property(permission, permission, (granted, asked) => {
          expect(new PermissionSet([granted]).has(asked)).toBe(granted === asked);
        }),
      );
    });

    it('a prefix grant matches exactly the permissions that start with "prefix:"', () => {
      fc.assert(
        fc.property(permission, permission, (prefix, asked) => {
          const expected = asked.startsWith(`${prefix}:`);
          expect(new PermissionSet([`${prefix}:*`]).has(asked)).toBe(expected);
        }),
      );
    });

    it('"*" grants every well-formed permission', () => {
      fc.assert(
        fc.property(permission, (asked) => {
          expect(new PermissionSet(['*']).has(asked)).toBe(true);
        }),
      );
    });

    it('adding grants never removes a permission (monotonic)', () => {
      fc.assert(
        fc.property(fc.array(permission), fc.array(permission), permission, (a, b, asked) => {
          const before = new PermissionSet(a).has(asked);
          if (before) expect(new PermissionSet([...a, ...b]).has(asked)).toBe(true);
        }),
      );
    });

    it('never throws, whatever the grants', () => {
      fc.assert(
        fc.property(fc.array(fc.string()), fc.string(), (grants, asked) => {
          new PermissionSet(grants).has(asked);
        }),
      );
    });
  });
});

describe('isPermission and isGrant', () => {
  it('tell concrete permissions from grants', () => {
    expect(isPermission('orders:create')).toBe(true);
    expect(isPermission('billing.v2:refund')).toBe(true);
    expect(isPermission('orders:*')).toBe(false);
    expect(isGrant('orders:*')).toBe(true);
    expect(isGrant('*')).toBe(true);
    expect(isGrant('*:x')).toBe(false);
    expect(isGrant(7)).toBe(false);
  });
});

describe('assertRequiredPermissions', () => {
  it('refuses wildcards in a required permission, with a message saying what to do', () => {
    expect(() => assertRequiredPermissions('requirePermission', ['orders:*'])).toThrow(AuthConfigError);
    expect(() => assertRequiredPermissions('requirePermission', ['*'])).toThrow(
      'requirePermission[0]: a required permission cannot be a wildcard (got "*"); require the concrete permission, such as "orders:create"',
    );
  });

  it('refuses malformed and missing permissions', () => {
    expect(() => assertRequiredPermissions('requirePermission', ['orders read'])).toThrow(
      /segments of letters/,
    );
    expect(() => assertRequiredPermissions('requirePermission', [])).toThrow(/at least one permission/);
    expect(() => assertRequiredPermissions('requirePermission', [3])).toThrow(AuthConfigError);
  });
});

describe('grantsFromClaim', () => {
  it('reads arrays and space-separated strings (OAuth scope)', () => {
    expect(grantsFromClaim(['a', 'b', 3])).toEqual(['a', 'b']);
    expect(grantsFromClaim('orders:read  orders:create')).toEqual(['orders:read', 'orders:create']);
    expect(grantsFromClaim(undefined)).toEqual([]);
    expect(grantsFromClaim({ a: 1 })).toEqual([]);
  });
});
