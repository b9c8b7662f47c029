/**
 * Composed authenticators: `anyOf(verifier, apiKeys)` on `/any` and `allOf(verifier, apiKeys)` on
 * `/all`; the most telling failure wins.
 */
import { ISSUER_DOWN } from '../app-spec.js';
import { now } from '../tokens.js';
import type { Concern } from './scenario.js';
import { bearer, missingToken, ok, rejected, service, withToken } from './support.js';

/** An `x-api-key` header, for the custom authenticator of `/any` and `/all`. */
const apiKey = (key: string) => () => ({ 'x-api-key': key });

export const compositionScenarios: Concern = {
  title: 'composed authenticators',
  scenarios: [
    { name: 'anyOf: bearer token', path: '/any/whoami', authorization: withToken(), expect: ok(service) },
    {
      name: 'anyOf: API key',
      path: '/any/whoami',
      headers: apiKey('batch-key'),
      expect: ok({ kind: 'service', issuer: 'api-keys', caller: 'batch' }),
    },
    {
      name: 'anyOf: API key through a guard',
      path: '/any/orders',
      headers: apiKey('batch-key'),
      expect: ok({ kind: 'service', caller: 'batch', permissions: ['orders:read'] }),
    },
    {
      name: 'anyOf: expired bearer token, good API key',
      path: '/any/whoami',
      authorization: withToken(() => ({ iat: now() - 600, exp: now() - 300 })),
      headers: apiKey('batch-key'),
      expect: ok({ caller: 'batch' }),
    },
    {
      name: 'anyOf: no credentials',
      path: '/any/whoami',
      expect: {
        ...missingToken,
        body: { ...(missingToken.body as object), error_description: 'missing credentials' },
      },
    },
    {
      name: 'anyOf: an expired token beats a missing API key',
      path: '/any/whoami',
      authorization: withToken(() => ({ iat: now() - 600, exp: now() - 300 })),
      expect: rejected(401, 'token_expired', 'token expired'),
    },
    {
      name: 'anyOf: a bad API key beats a missing token',
      path: '/any/whoami',
      headers: apiKey('wrong'),
      expect: rejected(401, 'invalid_signature', 'invalid API key'),
    },
    {
      name: 'anyOf: a 403 beats a 401',
      path: '/any/whoami',
      authorization: withToken({ sub: 'reporting' }),
      headers: apiKey('wrong'),
      expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
    },
    {
      name: 'anyOf: unavailable keys beat a bad API key',
      path: '/any/whoami',
      authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_DOWN }, { key: kit.keys.flaky })),
      headers: apiKey('wrong'),
      expect: {
        status: 503,
        wwwAuthenticate: null,
        body: {
          error: 'temporarily_unavailable',
          error_description: 'verification keys unavailable',
          code: 'keys_unavailable',
        },
      },
    },
    {
      name: 'allOf: bearer token and API key',
      path: '/all/whoami',
      authorization: withToken(),
      headers: apiKey('batch-key'),
      expect: ok(service),
    },
    {
      name: 'allOf: API key missing',
      path: '/all/whoami',
      authorization: withToken(),
      expect: {
        ...missingToken,
        body: { ...(missingToken.body as object), error_description: 'missing credentials' },
      },
    },
    {
      name: 'allOf: bad API key',
      path: '/all/whoami',
      authorization: withToken(),
      headers: apiKey('wrong'),
      expect: rejected(401, 'invalid_signature', 'invalid API key'),
    },
  ],
};
