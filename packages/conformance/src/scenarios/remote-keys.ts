/**
 * Keys fetched from a JWKS endpoint: 503 with `Retry-After` while none can be had, cached keys ride
 * out an outage.
 */
import { ISSUER_DOWN, ISSUER_FLAKY } from '../app-spec.js';
import type { Concern } from './scenario.js';
import { bearer, ok, service } from './support.js';

export const remoteKeyScenarios: Concern = {
  title: 'remote keys',
  scenarios: [
    {
      name: 'JWKS endpoint down, no key cached',
      path: '/api/whoami',
      authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_DOWN }, { key: kit.keys.flaky })),
      expect: {
        status: 503,
        wwwAuthenticate: null,
        retryAfter: '1',
        body: {
          error: 'temporarily_unavailable',
          error_description: 'verification keys unavailable',
          code: 'keys_unavailable',
        },
      },
    },
    {
      name: 'JWKS endpoint down, keys cached',
      path: '/api/whoami',
      prepare: async (kit, send) => {
        kit.jwks.flakyUp = true;
        const token = await kit.token({ iss: ISSUER_FLAKY }, { key: kit.keys.flaky });
        const warm = await send({ path: '/api/whoami', headers: { authorization: bearer(token) } });
        if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}`);
        kit.jwks.flakyUp = false;
      },
      authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_FLAKY }, { key: kit.keys.flaky })),
      expect: ok({ ...service, issuer: ISSUER_FLAKY }),
    },
  ],
};
