/** The verifier's `sessions` hook is tried before the bearer token. */
import type { Concern } from './scenario.js';
import { missingPermission, ok, rejected, service, withToken } from './support.js';

export const sessionScenarios: Concern = {
  title: 'sessions',
  scenarios: [
    {
      name: 'session on a mixed route',
      path: '/api/whoami',
      headers: () => ({ 'x-session': 'alice' }),
      expect: ok({ kind: 'user', issuer: 'session', subject: 'alice@example.com', roles: ['clerk'] }),
    },
    {
      name: 'session is tried before the service token',
      path: '/api/whoami',
      headers: () => ({ 'x-session': 'alice' }),
      authorization: withToken(),
      expect: ok({ kind: 'user', issuer: 'session', subject: 'alice@example.com' }),
    },
    {
      name: 'rejected session is not retried as a service token',
      path: '/api/whoami',
      headers: () => ({ 'x-session': 'expired' }),
      authorization: withToken(),
      expect: rejected(401, 'token_expired', 'session expired'),
    },
    {
      name: 'unknown session falls through to the service token',
      path: '/api/whoami',
      headers: () => ({ 'x-session': 'nobody' }),
      authorization: withToken(),
      expect: ok(service),
    },
    {
      name: 'session on a service-only route',
      path: '/api/service-only',
      headers: () => ({ 'x-session': 'alice' }),
      expect: rejected(403, 'token_kind_not_allowed', 'this kind of token is not allowed here'),
    },
    {
      name: 'session: permission granted through a role',
      path: '/api/orders',
      headers: () => ({ 'x-session': 'alice' }),
      expect: ok({ kind: 'user', subject: 'alice@example.com', permissions: ['orders:read'] }),
    },
    {
      name: 'session: permission missing',
      method: 'POST',
      path: '/api/orders',
      headers: () => ({ 'x-session': 'alice' }),
      expect: missingPermission(['orders:create']),
    },
  ],
};
