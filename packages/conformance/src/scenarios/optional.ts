/** `serviceAuth({ optional: true })`: no credentials go on with `auth` null, bad ones are still refused. */
import type { Concern } from './scenario.js';
import { missingToken, ok, rejected, service, withToken } from './support.js';

export const optionalScenarios: Concern = {
  title: 'optional authentication',
  scenarios: [
    { name: 'optional: no token', path: '/optional/whoami', expect: ok(null) },
    {
      name: 'optional: valid token',
      path: '/optional/whoami',
      authorization: withToken(),
      expect: ok(service),
    },
    {
      name: 'optional: bad token still refused',
      path: '/optional/whoami',
      authorization: withToken({ aud: 'billing' }),
      expect: rejected(401, 'invalid_audience', 'token not meant for this service'),
    },
    {
      name: 'optional: guarded route without token',
      method: 'POST',
      path: '/optional/orders',
      // The guard knows the verifier that let the request through, and so its realm.
      expect: missingToken,
    },
    {
      name: 'optional: guarded route with permission',
      method: 'POST',
      path: '/optional/orders',
      authorization: withToken({ permissions: ['orders:create'] }),
      expect: ok(service),
    },
  ],
};
