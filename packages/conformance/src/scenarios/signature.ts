/**
 * Token structure, algorithms and keys: only a well-formed JWS signed by a trusted key of its
 * issuer, with an allowed algorithm, passes.
 */
import { generateSecret } from 'jose';
import { ISSUER_B } from '../app-spec.js';
import { now, tamperSignature, unsecured } from '../tokens.js';
import type { Concern } from './scenario.js';
import { bearer, ok, rejected, service } from './support.js';

export const signatureScenarios: Concern = {
  title: 'token structure and signature',
  scenarios: [
    {
      name: 'malformed token',
      path: '/api/whoami',
      authorization: () => 'Bearer abc.def',
      expect: rejected(401, 'malformed_token', 'a JWT has three dot-separated parts'),
    },
    {
      name: 'opaque token',
      path: '/api/whoami',
      authorization: () => 'Bearer 2YotnFZFEjr1zCsicMWpAA',
      expect: rejected(401, 'unsupported_token', 'opaque tokens are not accepted; send a signed JWT'),
    },
    {
      name: 'bad signature',
      path: '/api/whoami',
      authorization: async (kit) => bearer(tamperSignature(await kit.token())),
      expect: rejected(401, 'invalid_signature', 'invalid token signature'),
    },
    {
      name: 'alg none',
      path: '/api/whoami',
      authorization: () =>
        bearer(
          unsecured({
            iss: 'https://auth-a.internal',
            sub: 'orders',
            aud: 'payments',
            source: 'microservice',
            exp: now() + 300,
          }),
        ),
      expect: rejected(401, 'unsupported_algorithm', 'token algorithm not allowed'),
    },
    {
      name: 'algorithm not allowed for the issuer (HS256)',
      path: '/api/whoami',
      authorization: async (kit) =>
        bearer(
          await kit.token(
            {},
            { key: { ...kit.keys.a, alg: 'HS256', privateKey: await generateSecret('HS256') } },
          ),
        ),
      expect: rejected(401, 'unsupported_algorithm', 'token algorithm not allowed'),
    },
    {
      name: 'key of another issuer',
      path: '/api/whoami',
      authorization: async (kit) => bearer(await kit.token({}, { key: kit.keys.b })),
      expect: rejected(401, 'unknown_key', 'token signed with an unknown key'),
    },
    {
      name: 'right kid, key of another issuer',
      path: '/api/whoami',
      authorization: async (kit) => bearer(await kit.token({}, { key: { ...kit.keys.b, kid: 'a-1' } })),
      expect: rejected(401, 'invalid_signature', 'invalid token signature'),
    },
    {
      name: 'token of the second issuer',
      path: '/api/whoami',
      authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_B }, { key: kit.keys.b })),
      expect: ok({ ...service, issuer: ISSUER_B }),
    },
  ],
};
