/**
 * Route guards: `requirePermission`, `requireAnyPermission`, `requireRole` and `requireCaller`; a
 * valid token without the grant is 403 `insufficient_scope`.
 */
import type { Concern } from './scenario.js';
import { missingPermission, ok, rejected, service, user, withToken } from './support.js';

export const guardScenarios: Concern = {
  title: 'guards',
  scenarios: [
    {
      name: 'requirePermission: exact grant',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken({ permissions: ['orders:create'] }),
      expect: ok({ ...service, permissions: ['orders:create'] }),
    },
    {
      name: 'requirePermission: orders:* grant',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken({ permissions: ['orders:*'] }),
      expect: ok({ permissions: ['orders:*'] }),
    },
    {
      name: 'requirePermission: * grant',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken({ permissions: ['*'] }),
      expect: ok({ permissions: ['*'] }),
    },
    {
      name: 'requirePermission: scope string',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken({ scope: 'orders:read orders:create' }),
      expect: ok({ permissions: ['orders:read', 'orders:create'] }),
    },
    {
      name: 'requirePermission: granted through a role',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken({ roles: ['admin'] }),
      expect: ok({ roles: ['admin'] }),
    },
    {
      name: 'requirePermission: other permission only',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken({ permissions: ['orders:read'] }),
      expect: missingPermission(['orders:create']),
    },
    {
      name: 'requirePermission: prefix grant of a sibling',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken({ permissions: ['orders-archive:*', 'order:*'] }),
      expect: missingPermission(['orders:create']),
    },
    {
      name: 'requirePermission: no permissions',
      method: 'POST',
      path: '/api/orders',
      authorization: withToken(),
      expect: missingPermission(['orders:create']),
    },
    {
      name: 'requireAnyPermission: one of them',
      path: '/api/orders',
      authorization: withToken({ permissions: ['orders:admin'] }),
      expect: ok({ permissions: ['orders:admin'] }),
    },
    {
      name: 'requireAnyPermission: none of them',
      path: '/api/orders',
      authorization: withToken({ permissions: ['orders:create'] }),
      expect: rejected(
        403,
        'insufficient_permission',
        'requires one of the permissions orders:read, orders:admin',
      ),
    },
    {
      name: 'requireRole: has it',
      path: '/api/admin',
      authorization: withToken({ roles: ['admin'] }),
      expect: ok({ roles: ['admin'] }),
    },
    {
      name: 'requireRole: another role',
      path: '/api/admin',
      authorization: withToken({ roles: ['clerk'] }),
      expect: rejected(403, 'insufficient_role', 'insufficient role'),
    },
    {
      name: 'requireCaller: exact caller',
      path: '/api/internal',
      authorization: withToken(),
      expect: ok(service),
    },
    {
      name: 'requireCaller: caller under a prefix',
      path: '/api/internal',
      authorization: withToken({ sub: 'spiffe://prod/ns/billing/sa/invoicer' }),
      expect: ok({ caller: 'spiffe://prod/ns/billing/sa/invoicer' }),
    },
    {
      name: 'requireCaller: caller allowed by the service, not by the route',
      path: '/api/internal',
      authorization: withToken({ sub: 'inventory' }),
      expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
    },
    {
      name: 'requireCaller: user token',
      path: '/api/internal',
      authorization: withToken({ ...user, sub: 'orders' }),
      expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
    },
  ],
};
