/**
 * Where the bearer token is read from and what a malformed Authorization header gets (RFC 6750
 * §2.1: `invalid_request` 400; no credentials: a challenge without error).
 */
import type { Concern } from './scenario.js';
import { bearer, missingToken, ok, rejected, service, withToken } from './support.js';

export const bearerScenarios: Concern = {
  title: 'bearer token extraction',
  scenarios: [
    { name: 'valid service token', path: '/api/whoami', authorization: withToken(), expect: ok(service) },
    { name: 'no Authorization header', path: '/api/whoami', expect: missingToken },
    {
      name: 'empty Authorization header',
      path: '/api/whoami',
      authorization: () => '',
      expect: missingToken,
    },
    {
      name: 'Bearer scheme without token',
      path: '/api/whoami',
      authorization: () => 'Bearer ',
      expect: rejected(400, 'malformed_request', 'empty bearer token'),
    },
    {
      name: 'duplicated Authorization header',
      path: '/api/whoami',
      authorization: async (kit) => [bearer(await kit.token()), bearer(await kit.token())],
      expect: rejected(400, 'malformed_request', 'several authorization headers'),
    },
    {
      name: 'lower-case scheme',
      path: '/api/whoami',
      authorization: async (kit) => `bearer ${await kit.token()}`,
      expect: ok(service),
    },
    {
      name: 'upper-case scheme',
      path: '/api/whoami',
      authorization: async (kit) => `BEARER ${await kit.token()}`,
      expect: ok(service),
    },
    {
      name: 'oversized token',
      path: '/api/whoami',
      authorization: () => bearer('a'.repeat(9000)),
      expect: rejected(400, 'malformed_request', 'token too large'),
    },
    {
      name: 'Basic scheme',
      path: '/api/whoami',
      authorization: () => 'Basic b3JkZXJzOnNlY3JldA==',
      expect: missingToken,
    },
    {
      name: 'two tokens in one header',
      path: '/api/whoami',
      authorization: async (kit) => `Bearer ${await kit.token()} ${await kit.token()}`,
      expect: rejected(400, 'malformed_request', 'exactly one bearer token expected'),
    },
    {
      name: 'invalid characters in token',
      path: '/api/whoami',
      authorization: () => 'Bearer abc,def',
      expect: rejected(400, 'malformed_request', 'invalid characters in bearer token'),
    },
    {
      name: 'token in the query string is ignored',
      path: `/api/whoami?access_token=abc.def.ghi`,
      expect: missingToken,
    },
  ],
};
