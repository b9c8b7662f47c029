/** Errors that are not the adapter's, and the app's own error handler (`onError: 'forward'`). */
import type { Concern } from './scenario.js';
import { challenge, missingTokenNoRealm, ok, service, withToken } from './support.js';

export const errorScenarios: Concern = {
  title: 'error handling',
  scenarios: [
    // Errors that are not the adapter's
    {
      name: 'handler error after auth is a 500, not a 401',
      path: '/api/boom',
      authorization: withToken(),
      expect: { status: 500, wwwAuthenticate: null },
    },
    { name: 'guard without serviceAuth', path: '/open/guarded', expect: missingTokenNoRealm },
    // The app's own error handler
    {
      name: "app's error handler: no token",
      path: '/delegated/whoami',
      expect: {
        status: 401,
        wwwAuthenticate: 'Bearer realm="payments"',
        body: { handledBy: 'app', code: 'missing_token' },
      },
    },
    {
      name: "app's error handler: guard failure",
      method: 'POST',
      path: '/delegated/orders',
      authorization: withToken(),
      expect: {
        status: 403,
        wwwAuthenticate: `${challenge('insufficient_scope', 'missing permission orders:create')}, scope="orders:create"`,
        body: { handledBy: 'app', code: 'insufficient_permission' },
      },
    },
    {
      name: "app's error handler: valid token",
      method: 'POST',
      path: '/delegated/orders',
      authorization: withToken({ permissions: ['orders:create'] }),
      expect: ok(service),
    },
    {
      name: "app's error handler: handler error after auth",
      path: '/delegated/boom',
      authorization: withToken(),
      expect: { status: 500, wwwAuthenticate: null, body: { handledBy: 'app', code: 'internal_error' } },
    },
  ],
};
