/**
 * Attribute-based policies: `authorize(action, { resource })` on the document routes (see
 * `policies` in app-spec).
 */
import type { Concern } from './scenario.js';
import { forwardedUser, missingToken, ok, rejected, service, user, withToken } from './support.js';

export const policyScenarios: Concern = {
  title: 'attribute-based policies',
  scenarios: [
    {
      name: 'policy: owner reads their document',
      path: '/api/documents/d1',
      authorization: withToken(user),
      expect: {
        ...ok({ kind: 'user', subject: 'alice@example.com' }),
        resource: { id: 'd1', ownerId: 'alice@example.com' },
      },
    },
    {
      name: "policy: nothing allows reading another user's document",
      path: '/api/documents/d2',
      authorization: withToken(user),
      expect: rejected(403, 'policy_denied', 'no policy allows this action'),
    },
    {
      name: 'policy: admin bypass',
      path: '/api/documents/d2',
      authorization: withToken({ ...user, roles: ['admin'] }),
      expect: { ...ok({ kind: 'user' }), resource: { id: 'd2', ownerId: 'bob@example.com', frozen: true } },
    },
    {
      name: 'policy: a deny overrides the admin allow',
      method: 'POST',
      path: '/api/documents/d2',
      authorization: withToken({ ...user, roles: ['admin'] }),
      expect: rejected(403, 'policy_denied', 'document is frozen'),
    },
    {
      name: 'policy: owner writes through a service acting for them',
      method: 'POST',
      path: '/api/documents/d1',
      authorization: withToken(),
      headers: forwardedUser(),
      expect: { ...ok(service), resource: { id: 'd1', ownerId: 'alice@example.com' } },
    },
    {
      name: 'policy: service token without a user',
      path: '/api/documents/d1',
      authorization: withToken(),
      expect: rejected(403, 'policy_denied', 'no policy allows this action'),
    },
    {
      name: 'policy: no token',
      path: '/api/documents/d1',
      expect: missingToken,
    },
  ],
};
