/** Service and user tokens on mixed and service-only routes, and the allow-list of callers. */
import { now } from '../tokens.js';
import type { Concern } from './scenario.js';
import { ok, rejected, service, user, withToken } from './support.js';

export const kindScenarios: Concern = {
  title: 'token kinds and callers',
  scenarios: [
    // Kinds
    {
      name: 'user token on a mixed route',
      path: '/api/whoami',
      authorization: withToken(user),
      expect: ok({ kind: 'user', subject: 'alice@example.com' }),
    },
    {
      name: 'user token on a service-only route',
      path: '/api/service-only',
      authorization: withToken(user),
      // The token is valid, just not for this route: 403, so the client does not fetch a new token.
      expect: rejected(403, 'token_kind_not_allowed', 'this kind of token is not allowed here'),
    },
    {
      name: 'mixed route: expired user token reads "token expired"',
      path: '/api/whoami',
      authorization: withToken(() => ({ ...user, iat: now() - 600, exp: now() - 300 })),
      expect: rejected(401, 'token_expired', 'token expired'),
    },
    {
      name: 'service token on a service-only route',
      path: '/api/service-only',
      authorization: withToken(),
      expect: ok(service),
    },
    // Callers: the verifier allow-list (`services.callers`)
    {
      name: 'caller not on the allow-list',
      path: '/api/whoami',
      authorization: withToken({ sub: 'mallory' }),
      expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
    },
  ],
};
