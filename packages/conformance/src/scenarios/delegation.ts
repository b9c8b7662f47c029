/**
 * On behalf of a user: a forwarded user token (`x-user-token`), or a token-exchange token with
 * `act` (RFC 8693).
 */
import { expect } from 'vitest';
import type { Kit } from '../app-spec.js';
import { ISSUER_STS, USER_TOKEN_HEADER } from '../app-spec.js';
import { now } from '../tokens.js';
import type { Concern } from './scenario.js';
import { bearer, forwardedUser, ok, rejected, service, user, withToken } from './support.js';

/** A token of the token-exchange service: `sub` alice, `act.sub` orders, scope `orders:read`. */
const exchanged =
  (claims: Record<string, unknown> = {}) =>
  async (kit: Kit) =>
    bearer(
      await kit.token(
        { ...user, act: { sub: 'orders' }, scope: 'orders:read', ...claims },
        { key: kit.keys.sts, issuer: ISSUER_STS },
      ),
    );

export const delegationScenarios: Concern = {
  title: 'on behalf of a user',
  scenarios: [
    {
      name: 'on behalf: service token and forwarded user token',
      path: '/api/user-orders',
      authorization: withToken(),
      headers: forwardedUser({ permissions: ['orders:read'] }),
      expect: ok({
        ...service,
        user: expect.objectContaining({ kind: 'user', subject: 'alice@example.com' }),
      }),
    },
    {
      name: 'on behalf: the user lacks the permission',
      path: '/api/user-orders',
      authorization: withToken({ permissions: ['orders:read'] }),
      headers: forwardedUser(),
      expect: rejected(403, 'insufficient_permission', 'user lacks permission orders:read'),
    },
    {
      name: 'on behalf: service token alone on a user route',
      path: '/api/user-required',
      authorization: withToken(),
      expect: rejected(403, 'token_kind_not_allowed', 'this kind of token is not allowed here'),
    },
    {
      name: 'on behalf: user token alone on a user route',
      path: '/api/user-required',
      authorization: withToken(user),
      expect: ok({ kind: 'user', subject: 'alice@example.com' }),
    },
    {
      name: 'on behalf: expired forwarded user token',
      path: '/api/user-required',
      authorization: withToken(),
      headers: forwardedUser(() => ({ iat: now() - 600, exp: now() - 300 })),
      expect: rejected(401, 'token_expired', 'token expired'),
    },
    {
      name: 'on behalf: a service token forwarded as the user',
      path: '/api/user-required',
      authorization: withToken(),
      headers: async (kit) => ({ [USER_TOKEN_HEADER]: await kit.token({ sub: 'inventory' }) }),
      expect: rejected(401, 'invalid_token_type', 'the forwarded token is not a user token'),
    },
    {
      name: 'on behalf: forwarded user token next to a user token',
      path: '/api/user-required',
      authorization: withToken(user),
      headers: forwardedUser(),
      expect: rejected(400, 'malformed_request', 'a forwarded user token needs a service token of its own'),
    },
    {
      name: 'on behalf: token-exchange token (act)',
      path: '/api/user-orders',
      authorization: exchanged(),
      expect: ok({
        kind: 'service',
        issuer: ISSUER_STS,
        caller: 'orders',
        user: expect.objectContaining({ kind: 'user', subject: 'alice@example.com' }),
      }),
    },
    {
      name: 'on behalf: act claim from an issuer that may not delegate',
      path: '/api/user-required',
      authorization: withToken({ sub: 'alice@example.com', act: { sub: 'orders' } }),
      expect: rejected(401, 'invalid_issuer', 'issuer not trusted for delegated tokens'),
    },
    {
      name: 'on behalf: acting service not on the allow-list',
      path: '/api/user-required',
      authorization: exchanged({ act: { sub: 'reporting' } }),
      expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
    },
  ],
};
