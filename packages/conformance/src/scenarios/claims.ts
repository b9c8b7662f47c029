/** Time claims (clock tolerance 5 s), issuer, audience, ID tokens and revocation. */
import { REVOKED_JTI } from '../app-spec.js';
import { now } from '../tokens.js';
import type { Concern } from './scenario.js';
import { ok, rejected, service, withToken } from './support.js';

export const claimScenarios: Concern = {
  title: 'time, issuer and audience claims',
  scenarios: [
    // Time claims (clock tolerance 5 s)
    {
      name: 'expired',
      path: '/api/whoami',
      authorization: withToken(() => ({ iat: now() - 600, exp: now() - 60 })),
      expect: rejected(401, 'token_expired', 'token expired'),
    },
    {
      name: 'expired within clock tolerance',
      path: '/api/whoami',
      authorization: withToken(() => ({ iat: now() - 600, exp: now() - 2 })),
      expect: ok(service),
    },
    {
      name: 'not yet valid',
      path: '/api/whoami',
      authorization: withToken(() => ({ nbf: now() + 60 })),
      expect: rejected(401, 'token_not_active', 'token not yet valid'),
    },
    {
      name: 'not yet valid within clock tolerance',
      path: '/api/whoami',
      authorization: withToken(() => ({ nbf: now() + 2 })),
      expect: ok(service),
    },
    {
      name: 'issued in the future',
      path: '/api/whoami',
      authorization: withToken(() => ({ iat: now() + 60 })),
      expect: rejected(401, 'token_not_active', 'token issued in the future'),
    },
    {
      name: 'missing exp',
      path: '/api/whoami',
      authorization: withToken({ exp: undefined }),
      expect: rejected(401, 'missing_claim', 'token has no exp claim'),
    },
    {
      name: 'lifetime over the maximum',
      path: '/api/whoami',
      authorization: withToken(() => ({ exp: now() + 2 * 86_400 })),
      expect: rejected(401, 'lifetime_too_long', 'token lifetime too long'),
    },
    // Issuer, audience, token kind by claims, revocation
    {
      name: 'wrong aud',
      path: '/api/whoami',
      authorization: withToken({ aud: 'billing' }),
      expect: rejected(401, 'invalid_audience', 'token not meant for this service'),
    },
    {
      name: 'missing aud',
      path: '/api/whoami',
      authorization: withToken({ aud: undefined }),
      expect: rejected(401, 'invalid_audience', 'token has no audience'),
    },
    {
      name: 'service token for several audiences',
      path: '/api/whoami',
      authorization: withToken({ aud: ['payments', 'billing'] }),
      expect: rejected(401, 'invalid_audience', 'tokens for several audiences are not accepted'),
    },
    {
      name: 'wrong iss',
      path: '/api/whoami',
      authorization: withToken({ iss: 'https://evil.example' }),
      expect: rejected(401, 'invalid_issuer', 'untrusted issuer'),
    },
    {
      name: 'ID token',
      path: '/api/whoami',
      authorization: withToken({ nonce: 'n-0S6_WzA2Mj' }),
      expect: rejected(401, 'unsupported_token', 'ID tokens are not accepted; send an access token'),
    },
    {
      name: 'revoked token',
      path: '/api/whoami',
      authorization: withToken({ jti: REVOKED_JTI }),
      expect: rejected(401, 'token_revoked', 'token revoked'),
    },
  ],
};
