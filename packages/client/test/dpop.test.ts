import { generateKeyPairSync, webcrypto } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AuthError, createVerifier, type Verifier } from '@org/auth-core';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  createAuthFetch,
  createDpopProof,
  createSelfSignedSource,
  createTokenClient,
  generateSigningKey,
  jwkThumbprint,
  type SigningKey,
} from '../src/index.js';
import { readBody, startServer, type TestServer } from './helpers.js';

describe('createDpopProof', () => {
  it('signs a proof that jose verifies with its embedded jwk, with the RFC 9449 §4.2 claims', async () => {
    const key = await generateSigningKey({ alg: 'ES256' });
    const proof = await createDpopProof({
      key,
      method: 'post',
      url: 'https://Payments.Internal:443/charges?amount=3#x',
      accessToken: 'token-abc',
      nonce: 'n-1',
      now: () => 1_767_225_600_000,
    });
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(Object.keys(protectedHeader.jwk ?? {}).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(await calculateJwkThumbprint(protectedHeader.jwk!)).toBe(jwkThumbprint(key.publicJwk!));
    expect(payload).toEqual({
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      htm: 'POST',
      htu: 'https://payments.internal/charges',
      iat: 1_767_225_600,
      // base64url(SHA-256("token-abc"))
      ath: 'CWFXsznPQZ28DI3vSfwr6STcEw-6zfp7h5vuCjB4zsQ',
      nonce: 'n-1',
    });
  });

  it('makes a new jti for every proof', async () => {
    const key = await generateSigningKey();
    const make = () => createDpopProof({ key, method: 'GET', url: 'https://a.internal/' });
    const [a, b] = await Promise.all([make(), make()]);
    expect(a).not.toBe(b);
  });

  it('takes a private KeyObject or CryptoKey, choosing the algorithm from the key', async () => {
    const ed = generateKeyPairSync('ed25519').privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const { privateKey: crypto } = (await webcrypto.subtle.generateKey(
      { name: 'ECDSA', namedCurve: 'P-384' },
      false,
      ['sign', 'verify'],
    )) as webcrypto.CryptoKeyPair;
    const expected = [
      [ed, 'EdDSA'],
      [rsa, 'RS256'],
      [crypto, 'ES384'],
    ] as const;
    for (const [key, alg] of expected) {
      const proof = await createDpopProof({ key, method: 'GET', url: 'https://a.internal/x' });
      expect(decodeProtectedHeader(proof).alg).toBe(alg);
      await expect(jwtVerify(proof, EmbeddedJWK)).resolves.toBeDefined();
    }
    const ps = await createDpopProof({ key: rsa, alg: 'PS256', method: 'GET', url: 'https://a.internal/x' });
    expect(decodeProtectedHeader(ps).alg).toBe('PS256');
  });

  it('refuses public keys, secrets and algorithms that do not fit the key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const attempts = [
      { key: publicKey },
      {
        key: { kid: '', alg: 'HS256', privateKey: publicKey, publicJwk: undefined } as unknown as SigningKey,
      },
      { key: privateKey, alg: 'EdDSA' as const },
      { key: 'pem' as never },
    ];
    for (const attempt of attempts) {
      await expect(
        createDpopProof({ ...attempt, method: 'GET', url: 'https://a.internal/' }),
      ).rejects.toBeInstanceOf(AuthConfigError);
    }
  });
});

describe('createAuthFetch with dpop, against a real verifier over loopback HTTP', () => {
  let dpopKey: SigningKey;
  let issuerKey: SigningKey;
  let server: TestServer;
  let verifier: Verifier;
  let seen: { authorization: string; dpop: string | undefined; body: string }[];
  let sendNonceOnSuccess: boolean;

  async function serve(dpop: NonNullable<Parameters<typeof createVerifier>[0]['dpop']> | undefined) {
    verifier = createVerifier({
      issuers: { issuer: 'billing', jwks: { keys: [issuerKey.publicJwk!] } },
      audience: 'orders',
      ...(dpop === undefined ? {} : { dpop }),
    });
    server = await startServer(async (req: IncomingMessage, res) => {
      const body = await readBody(req);
      seen.push({ authorization: req.headers.authorization ?? '', dpop: req.headers.dpop as string, body });
      try {
        const auth = await verifier.authenticate(req);
        const nonce = sendNonceOnSuccess ? verifier.dpopNonce() : undefined;
        res.writeHead(200, { 'content-type': 'application/json', ...(nonce ? { 'DPoP-Nonce': nonce } : {}) });
        res.end(
          JSON.stringify({ caller: auth?.caller, jkt: (auth?.claims.cnf as { jkt?: string })?.jkt, body }),
        );
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        res.writeHead(error.status, error.headers);
        res.end(JSON.stringify(error));
      }
    });
  }

  /** A caller whose self-signed tokens are bound to `dpopKey`. */
  function caller(options: { dpop?: boolean } = {}) {
    const source = createSelfSignedSource({
      issuer: 'billing',
      key: issuerKey,
      claims: { cnf: { jkt: jwkThumbprint(dpopKey.publicJwk!) } },
    });
    const tokens = createTokenClient({ source });
    return createAuthFetch({
      tokens,
      audience: { [server.url]: 'orders' },
      ...(options.dpop === false ? {} : { dpop: { key: dpopKey } }),
    });
  }

  beforeEach(async () => {
    [dpopKey, issuerKey] = await Promise.all([generateSigningKey({ alg: 'EdDSA' }), generateSigningKey()]);
    seen = [];
    sendNonceOnSuccess = false;
  });

  afterEach(async () => {
    await server.close();
  });

  it('sends Authorization: DPoP with a fresh proof per request, and the verifier accepts it', async () => {
    await serve({});
    const authFetch = caller();
    for (const path of ['/orders/1?x=1', '/orders/2']) {
      const res = await authFetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        caller: 'billing',
        jkt: jwkThumbprint(dpopKey.publicJwk!),
        body: '',
      });
    }
    expect(seen.map((s) => s.authorization.split(' ')[0])).toEqual(['DPoP', 'DPoP']);
    expect(seen[0]?.dpop).not.toBe(seen[1]?.dpop);
  });

  it('proves POST requests with their body untouched', async () => {
    await serve({ required: true });
    const res = await caller()(new Request(`${server.url}/orders`, { method: 'POST', body: 'pay' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ body: 'pay' });
  });

  it('retries once with the server nonce on use_dpop_nonce, replaying the body, and remembers the nonce', async () => {
    await serve({ nonce: true });
    const authFetch = caller();
    const first = await authFetch(new Request(`${server.url}/orders`, { method: 'PUT', body: 'again' }));
    expect(first.status).toBe(200);
    expect(seen.map((s) => s.body)).toEqual(['again', 'again']);
    const second = await authFetch(`${server.url}/orders/3`);
    expect(second.status).toBe(200);
    // The remembered nonce saved the second request its round trip.
    expect(seen).toHaveLength(3);
  });

  it('uses a nonce the server sends on a successful response', async () => {
    await serve({});
    sendNonceOnSuccess = true;
    const authFetch = caller();
    await authFetch(`${server.url}/orders/1`);
    await authFetch(`${server.url}/orders/2`);
    const [, second] = seen;
    const proof = JSON.parse(Buffer.from(second?.dpop?.split('.')[1] ?? '', 'base64url').toString());
    expect(proof.nonce).toBe(verifier.dpopNonce());
  });

  it('does not loop when the nonce is refused again', async () => {
    await serve({ nonce: true });
    const tokens = createTokenClient({
      source: createSelfSignedSource({
        issuer: 'billing',
        key: issuerKey,
        claims: { cnf: { jkt: jwkThumbprint(dpopKey.publicJwk!) } },
      }),
    });
    // A client clock 10 minutes behind: every proof is too old, whatever the nonce.
    const authFetch = createAuthFetch({
      tokens,
      audience: { [server.url]: 'orders' },
      dpop: { key: dpopKey, now: () => Date.now() - 600_000 },
    });
    const res = await authFetch(`${server.url}/orders/1`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP error="(use_dpop_nonce|invalid_dpop_proof)"/);
    expect(seen.length).toBeLessThanOrEqual(2);
  });

  it('is refused with the bound token sent as a plain bearer token', async () => {
    await serve(undefined);
    const res = await caller({ dpop: false })(`${server.url}/orders/1`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="DPoP-bound token sent as a bearer token"',
    );
  });

  it('is refused when the proof is signed by another key than the token is bound to', async () => {
    await serve({});
    const other = await generateSigningKey();
    const tokens = createTokenClient({
      source: createSelfSignedSource({
        issuer: 'billing',
        key: issuerKey,
        claims: { cnf: { jkt: jwkThumbprint(dpopKey.publicJwk!) } },
      }),
    });
    const authFetch = createAuthFetch({ tokens, audience: { [server.url]: 'orders' }, dpop: { key: other } });
    const res = await authFetch(`${server.url}/orders/1`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'DPoP error="invalid_token", error_description="invalid DPoP key binding", algs="ES256 EdDSA RS256 PS256"',
    );
  });
});
