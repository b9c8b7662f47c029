import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verifier/verifier.js';
import { expectAuthError } from '../support/auth-errors.js';
import { type JwksServer, startJwksServer } from '../support/jwks-server.js';
import {
  type AsymmetricAlg,
  AUDIENCE,
  createIssuerKeys,
  createSecret,
  ISSUER,
  type IssuerKeys,
  mintToken,
  T0,
} from '../support/tokens.js';

const ASYMMETRIC: readonly AsymmetricAlg[] = [
  'RS256',
  'PS256',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

let server: JwksServer;
const keys = new Map<AsymmetricAlg, IssuerKeys>();

beforeAll(async () => {
  for (const alg of ASYMMETRIC) keys.set(alg, createIssuerKeys(alg, { kid: `kid-${alg}` }));
  server = await startJwksServer();
  server.setKeys([...keys.values()].map((key) => key.publicJwk));
});

afterAll(async () => {
  await server.close();
});

describe.each(ASYMMETRIC)('%s', (alg) => {
  it('verifies with a static public key', async () => {
    const key = keys.get(alg)!;
    const verifier = createVerifier({
      issuers: { issuer: ISSUER, publicKey: key.publicKey },
      audience: AUDIENCE,
      now: () => T0,
    });
    const auth = await verifier.verify(await mintToken({ key, kid: false }));
    expect(auth.header.alg).toBe(alg);
  });

  it('verifies with a remote JWKS, and only with the allowed algorithm', async () => {
    const key = keys.get(alg)!;
    const verifier = createVerifier({
      issuers: { issuer: ISSUER, jwksUri: server.jwksUri, algorithms: [alg] },
      audience: AUDIENCE,
      now: () => T0,
    });
    await verifier.verify(await mintToken({ key }));
    const other = ASYMMETRIC.find((candidate) => candidate !== alg && keys.get(candidate)!.alg !== alg)!;
    await expectAuthError(
      verifier.verify(await mintToken({ key: keys.get(other)! })),
      'unsupported_algorithm',
    );
  });
});

describe('HS256', () => {
  it('verifies with a shared secret', async () => {
    const secret = createSecret();
    const verifier = createVerifier({
      issuers: { issuer: ISSUER, secret, algorithms: ['HS256'] },
      audience: AUDIENCE,
      now: () => T0,
    });
    const auth = await verifier.verify(await mintToken({ key: secret, alg: 'HS256' }));
    expect(auth.header.alg).toBe('HS256');
  });
});
