/** A reused token, answered from the verified-token cache without a promise (`authenticateCached`). */
import type { Concern } from './scenario.js';
import { ok, rejected, service, withToken } from './support.js';

export const cacheScenarios: Concern = {
  title: 'verified-token cache',
  scenarios: [
    {
      name: 'reused token: the second request from the cache',
      path: '/cached/whoami',
      replay: true,
      authorization: withToken(),
      expect: ok(service),
    },
    {
      name: 'reused token: guards apply to a cached context',
      path: '/cached/orders',
      replay: true,
      authorization: withToken({ permissions: ['orders:read'] }),
      expect: ok(service),
    },
    {
      name: 'reused token: a guard refuses a cached context',
      path: '/cached/internal',
      authorization: withToken(),
      expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
    },
  ],
};
