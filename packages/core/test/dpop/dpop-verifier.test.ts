import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AuthError, type DpopOptions, MemoryNonceStore, type NonceStore } from '../../src/index.js';
import { expectAuthError, expectConfigError } from '../support/auth-errors.js';
import { unsignedToken } from '../support/tokens.js';
import { bearer, createFixture, type Fixture, NOW } from '../support/verifier-fixture.js';
import {
  ath,
  createProof,
  createProofKey,
  dpopRequest,
  type ProofKey,
  type ProofOptions,
} from './support.js';

const URL_ = 'https://payments.internal/orders/42';
const ALGS = 'algs="ES256 EdDSA RS256 PS256"';

let fixture: Fixture;
let key: ProofKey;

beforeEach(async () => {
  fixture = await createFixture({ dpop: {} });
  key = await createProofKey('ES256');
});

/** A token bound to `key` (cnf.jkt), and a valid proof for it, overridable. */
async function boundToken(boundTo: ProofKey = key, claims: Record<string, unknown> = {}): Promise<string> {
  return fixture.sign({ cnf: { jkt: boundTo.jkt }, ...claims });
}

function proofFor(token: string | undefined, options: Partial<ProofOptions> = {}, by: ProofKey = key) {
  return createProof(by, {
    iat: fixture.clock.now,
    url: URL_,
    ...(token === undefined ? {} : { accessToken: token }),
    ...options,
  });
}

async function rejection(
  request: ReturnType<typeof dpopRequest>,
  code: AuthError['code'],
  verifier = fixture.verifier,
): Promise<AuthError> {
  return expectAuthError(verifier.authenticate(request), code);
}

describe('a DPoP-bound token with a valid proof', () => {
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256'] as const) {
    it(`is accepted with a proof signed with ${alg}`, async () => {
      const client = await createProofKey(alg);
      const token = await boundToken(client);
      const auth = await fixture.verifier.authenticate(dpopRequest(token, await proofFor(token, {}, client)));
      expect(auth?.caller).toBe('orders');
      expect(auth?.claims.cnf).toEqual({ jkt: client.jkt });
    });
  }

  it('is accepted with the scheme in any case', async () => {
    const token = await boundToken();
    const request = dpopRequest(token, await proofFor(token), { scheme: 'dpop' });
    await expect(fixture.verifier.authenticate(request)).resolves.toBeDefined();
  });

  it('is accepted from a client on plain http when the Host and the proof say http', async () => {
    const token = await boundToken();
    const proof = await proofFor(token, { url: 'http://localhost:3000/orders/42' });
    const request = dpopRequest(token, proof, { host: 'localhost:3000', encrypted: false });
    await expect(fixture.verifier.authenticate(request)).resolves.toBeDefined();
  });
});

describe('the DPoP proof header', () => {
  it('is required with the DPoP scheme', async () => {
    const error = await rejection(dpopRequest(await boundToken(), undefined), 'invalid_dpop_proof');
    expect(error.status).toBe(401);
    expect(error.headers['WWW-Authenticate']).toBe(
      `DPoP error="invalid_dpop_proof", error_description="missing DPoP proof", ${ALGS}`,
    );
    expect(error.toJSON()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'missing DPoP proof',
      code: 'invalid_dpop_proof',
    });
  });

  it('must be sent exactly once', async () => {
    const token = await boundToken();
    const proof = await proofFor(token);
    const error = await rejection(
      dpopRequest(token, undefined, { proofs: [proof, proof] }),
      'invalid_dpop_proof',
    );
    expect(error.description).toBe('exactly one DPoP proof expected');
    // Without the raw header list, Node's joined value is caught too.
    const joined = { ...dpopRequest(token, undefined, { proofs: [proof, proof] }), rawHeaders: undefined };
    await rejection(joined, 'invalid_dpop_proof');
  });

  it('must be a compact JWS', async () => {
    const token = await boundToken();
    const error = await rejection(dpopRequest(token, 'not-a-jwt'), 'invalid_dpop_proof');
    expect(error.description).toBe('malformed DPoP proof');
  });

  it('must have typ dpop+jwt', async () => {
    const token = await boundToken();
    for (const typ of ['JWT', 'at+jwt', undefined]) {
      const error = await rejection(
        dpopRequest(token, await proofFor(token, { header: { typ } })),
        'invalid_dpop_proof',
      );
      expect(error.description).toBe('DPoP proof must have typ dpop+jwt');
    }
    const media = await proofFor(token, { header: { typ: 'application/DPoP+JWT' } });
    await expect(fixture.verifier.authenticate(dpopRequest(token, media))).resolves.toBeDefined();
  });

  it('refuses alg none and HS256', async () => {
    const token = await boundToken();
    const claims = { jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW, ath: ath(token) };
    const none = unsignedToken({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk }, claims);
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: key.publicJwk })
      .sign(randomBytes(32));
    for (const proof of [none, hs256]) {
      const error = await rejection(dpopRequest(token, proof), 'invalid_dpop_proof');
      expect(error.description).toBe('DPoP proof algorithm not allowed');
    }
  });

  it('refuses an asymmetric algorithm outside the allow-list', async () => {
    const client = await createProofKey('ES384');
    const token = await boundToken(client);
    const error = await rejection(
      dpopRequest(token, await proofFor(token, {}, client)),
      'invalid_dpop_proof',
    );
    expect(error.description).toBe('DPoP proof algorithm not allowed');
    const verifier = fixture.with({ dpop: { algorithms: ['ES384'] } });
    await expect(
      verifier.authenticate(dpopRequest(token, await proofFor(token, {}, client))),
    ).resolves.toBeDefined();
  });

  it('needs a jwk header holding a public key only', async () => {
    const token = await boundToken();
    const privateJwk = key.privateKey.export({ format: 'jwk' });
    const cases: [unknown, string][] = [
      [undefined, 'DPoP proof has no jwk header'],
      ['key', 'DPoP proof has no jwk header'],
      [privateJwk, 'DPoP proof jwk must be a public key'],
      [{ kty: 'oct', k: 'c2VjcmV0' }, 'DPoP proof jwk must be a public key'],
      [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, 'DPoP proof jwk is not a supported public key'],
    ];
    for (const [jwk, description] of cases) {
      const error = await rejection(
        dpopRequest(token, await proofFor(token, { header: { jwk } })),
        'invalid_dpop_proof',
      );
      expect(error.description).toBe(description);
    }
  });

  it('refuses a jwk of another type than alg, and a jwk whose own alg differs', async () => {
    const token = await boundToken();
    const edKey = await createProofKey('EdDSA');
    const mixed = unsignedToken(
      { typ: 'dpop+jwt', alg: 'ES256', jwk: edKey.publicJwk },
      { jti: 'j', htm: 'GET', htu: URL_, iat: NOW, ath: ath(token) },
      'AAAA',
    );
    const error = await rejection(dpopRequest(token, mixed), 'invalid_dpop_proof');
    expect(error.description).toBe('DPoP proof jwk does not fit its algorithm');
    const labelled = await proofFor(token, { header: { jwk: { ...key.publicJwk, alg: 'ES384' } } });
    await rejection(dpopRequest(token, labelled), 'invalid_dpop_proof');
  });

  it('must be signed by the key in its jwk header', async () => {
    const token = await boundToken();
    const other = await createProofKey('ES256');
    const error = await rejection(
      dpopRequest(token, await proofFor(token, { signingKey: other.privateKey })),
      'invalid_dpop_proof',
    );
    expect(error.description).toBe('invalid DPoP proof signature');
  });
});

describe('the claims of the proof', () => {
  it('need a jti of bounded length', async () => {
    const token = await boundToken();
    for (const jti of [undefined, '', 42, 'x'.repeat(257)]) {
      const error = await rejection(
        dpopRequest(token, await proofFor(token, { claims: { jti } })),
        'invalid_dpop_proof',
      );
      expect(error.description).toBe('DPoP proof has no valid jti');
    }
  });

  it('need htm equal to the request method', async () => {
    const token = await boundToken();
    const error = await rejection(
      dpopRequest(token, await proofFor(token, { method: 'GET' }), { method: 'POST' }),
      'invalid_dpop_proof',
    );
    expect(error.description).toBe('DPoP proof htm does not match the request method');
    await rejection(dpopRequest(token, await proofFor(token, { method: 'get' })), 'invalid_dpop_proof');
  });

  it('need htu equal to the request URL, ignoring query and fragment', async () => {
    const token = await boundToken();
    for (const url of [URL_, `${URL_}?page=3#top`, 'HTTPS://Payments.INTERNAL:443/orders/42']) {
      const request = dpopRequest(token, await proofFor(token, { url }), { url: '/orders/42?page=2' });
      await expect(fixture.verifier.authenticate(request), url).resolves.toBeDefined();
    }
  });

  it('refuse an htu naming another path, host, port or scheme', async () => {
    const token = await boundToken();
    for (const url of [
      'https://payments.internal/orders/43',
      'https://payments.internal/Orders/42',
      'https://refunds.internal/orders/42',
      'https://payments.internal:8443/orders/42',
      'http://payments.internal/orders/42',
      '/orders/42',
      undefined,
    ]) {
      const request = dpopRequest(token, await proofFor(token, { claims: { htu: url } }));
      const error = await rejection(request, 'invalid_dpop_proof');
      expect(error.description).toBe('DPoP proof htu does not match the request URL');
    }
  });

  it('use originalUrl, the path a mounted router was reached at', async () => {
    const token = await boundToken();
    const request = { ...dpopRequest(token, await proofFor(token)), url: '/42', originalUrl: '/orders/42' };
    await expect(fixture.verifier.authenticate(request)).resolves.toBeDefined();
  });

  it('need an iat at most 60 s old and 5 s ahead, plus the clock tolerance of 5 s', async () => {
    const token = await boundToken();
    for (const iat of [NOW - 65, NOW + 10]) {
      const request = dpopRequest(token, await proofFor(token, { iat }));
      await expect(fixture.verifier.authenticate(request), String(iat)).resolves.toBeDefined();
    }
    const old = await rejection(
      dpopRequest(token, await proofFor(token, { iat: NOW - 66 })),
      'invalid_dpop_proof',
    );
    expect(old.description).toBe('DPoP proof too old');
    const ahead = await rejection(
      dpopRequest(token, await proofFor(token, { iat: NOW + 11 })),
      'invalid_dpop_proof',
    );
    expect(ahead.description).toBe('DPoP proof issued in the future');
    const missing = await rejection(
      dpopRequest(token, await proofFor(token, { claims: { iat: '1767225600' } })),
      'invalid_dpop_proof',
    );
    expect(missing.description).toBe('DPoP proof has no valid iat');
  });

  it('have a configurable iat window', async () => {
    const verifier = fixture.with({ dpop: { maxProofAge: '5m', futureTolerance: 0 }, clockTolerance: 0 });
    const token = await boundToken();
    await expect(
      verifier.authenticate(dpopRequest(token, await proofFor(token, { iat: NOW - 300 }))),
    ).resolves.toBeDefined();
    await rejection(
      dpopRequest(token, await proofFor(token, { iat: NOW + 1 })),
      'invalid_dpop_proof',
      verifier,
    );
  });

  it('need ath, the hash of the presented token', async () => {
    const token = await boundToken();
    const missing = await rejection(dpopRequest(token, await proofFor(undefined)), 'invalid_dpop_proof');
    expect(missing.description).toBe('DPoP proof has no ath');
    const other = await rejection(
      dpopRequest(token, await proofFor(token, { claims: { ath: ath(`${token}x`) } })),
      'invalid_dpop_proof',
    );
    expect(other.description).toBe('DPoP proof ath does not match the access token');
  });
});

describe('the key binding', () => {
  it('refuses a proof by another key than the token is bound to (RFC 9449 §7.1)', async () => {
    const token = await boundToken();
    const other = await createProofKey('ES256');
    const error = await rejection(dpopRequest(token, await proofFor(token, {}, other)), 'invalid_claim');
    expect(error.claim).toBe('cnf');
    expect(error.headers['WWW-Authenticate']).toBe(
      `DPoP error="invalid_token", error_description="invalid DPoP key binding", ${ALGS}`,
    );
  });

  it('refuses a malformed cnf.jkt', async () => {
    const token = await fixture.sign({ cnf: { jkt: 42 } });
    const error = await rejection(dpopRequest(token, await proofFor(token)), 'invalid_claim');
    expect(error.claim).toBe('cnf');
  });
});

describe('replayed proofs', () => {
  it('are refused: each jti is accepted once', async () => {
    const token = await boundToken();
    const request = dpopRequest(token, await proofFor(token));
    await fixture.verifier.authenticate(request);
    const error = await rejection(request, 'invalid_dpop_proof');
    expect(error.description).toBe('DPoP proof already used');
  });

  it('are refused on a verified-token cache hit, while fresh proofs pass', async () => {
    const token = await boundToken();
    const first = dpopRequest(token, await proofFor(token));
    await fixture.verifier.authenticate(first);
    await fixture.verifier.authenticate(dpopRequest(token, await proofFor(token)));
    expect(fixture.events.filter((event) => event.type === 'accepted').map((event) => event.cached)).toEqual([
      false,
      true,
    ]);
    await rejection(first, 'invalid_dpop_proof');
  });

  it('are remembered per key until the end of the iat window', async () => {
    const calls: [string, number][] = [];
    const store: NonceStore = {
      useOnce: (id, expiresAt) => {
        calls.push([id, expiresAt]);
        return true;
      },
    };
    const verifier = fixture.with({ dpop: { replayStore: store } });
    const token = await boundToken();
    await verifier.authenticate(dpopRequest(token, await proofFor(token, { claims: { jti: 'p-1' } })));
    expect(calls).toEqual([[`dpop:${key.jkt}:p-1`, NOW + 60 + 5]]);
  });

  it('answer 503 replay_check_unavailable when the store fails, and never accept', async () => {
    const failing: NonceStore = {
      useOnce: async () => {
        throw new Error('redis down');
      },
    };
    const verifier = fixture.with({ dpop: { replayStore: failing } });
    const token = await boundToken();
    const error = await rejection(
      dpopRequest(token, await proofFor(token)),
      'replay_check_unavailable',
      verifier,
    );
    expect(error.status).toBe(503);
    expect(error.headers).toEqual({ 'Retry-After': '5' });
  });

  it('fill a bounded MemoryNonceStore and then fail closed', async () => {
    const verifier = fixture.with({
      dpop: { replayStore: new MemoryNonceStore({ maxEntries: 1, now: () => fixture.clock.now * 1000 }) },
    });
    const token = await boundToken();
    await verifier.authenticate(dpopRequest(token, await proofFor(token)));
    await rejection(dpopRequest(token, await proofFor(token)), 'replay_check_unavailable', verifier);
  });
});

describe('the Authorization scheme', () => {
  it('refuses a bound token sent as a bearer token, offering DPoP', async () => {
    const error = await rejection(bearer(await boundToken()), 'invalid_token_type');
    expect(error.headers['WWW-Authenticate']).toBe(
      `Bearer error="invalid_token", error_description="DPoP-bound token sent as a bearer token", DPoP ${ALGS}`,
    );
  });

  it('refuses a bound token as a bearer token without the dpop option too, byte for byte a Bearer answer', async () => {
    const verifier = fixture.with({ dpop: undefined, realm: 'payments' });
    const token = await boundToken();
    const error = await rejection(bearer(token), 'invalid_token_type', verifier);
    expect(error.headers).toEqual({
      'WWW-Authenticate':
        'Bearer realm="payments", error="invalid_token", error_description="DPoP-bound token sent as a bearer token"',
    });
    await expectAuthError(verifier.verify(token), 'invalid_token_type');
    // Without the option the DPoP scheme is just another scheme: no bearer credentials at all.
    await rejection(dpopRequest(token, await proofFor(token)), 'missing_token', verifier);
  });

  it('refuses a token without cnf.jkt sent with the DPoP scheme', async () => {
    const token = await fixture.sign();
    const error = await rejection(dpopRequest(token, await proofFor(token)), 'invalid_token_type');
    expect(error.headers['WWW-Authenticate']).toBe(
      `DPoP error="invalid_token", error_description="token is not DPoP-bound", ${ALGS}`,
    );
  });

  it('keeps accepting unbound bearer tokens when DPoP is optional', async () => {
    await expect(fixture.verifier.authenticate(bearer(await fixture.sign()))).resolves.toBeDefined();
  });

  it('challenges a request without credentials with Bearer and DPoP when DPoP is optional', async () => {
    const verifier = fixture.with({ realm: 'payments' });
    const error = await rejection({ headers: {} }, 'missing_token', verifier);
    expect(error.headers['WWW-Authenticate']).toBe(`Bearer realm="payments", DPoP realm="payments", ${ALGS}`);
    await expect(verifier.authenticate({ headers: {} }, { optional: true })).resolves.toBeUndefined();
  });

  it('leaves every Bearer answer unchanged without the dpop option', async () => {
    const verifier = fixture.with({ dpop: undefined, realm: 'payments' });
    const missing = await rejection({ headers: {} }, 'missing_token', verifier);
    expect(missing.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="payments"' });
    const expired = await rejection(bearer(await fixture.sign({ exp: NOW - 60 })), 'token_expired', verifier);
    expect(expired.headers).toEqual({
      'WWW-Authenticate': 'Bearer realm="payments", error="invalid_token", error_description="token expired"',
    });
  });

  it('answers token errors of a DPoP request with the DPoP challenge', async () => {
    const token = await boundToken(key, { exp: NOW - 60 });
    const error = await rejection(dpopRequest(token, await proofFor(token)), 'token_expired');
    expect(error.headers['WWW-Authenticate']).toBe(
      `DPoP error="invalid_token", error_description="token expired", ${ALGS}`,
    );
  });

  it('answers a malformed DPoP credential with 400 and the DPoP challenge', async () => {
    const token = await boundToken();
    for (const value of ['DPoP', 'DPoP a b', 'DPoP a"b']) {
      const request = {
        ...dpopRequest(token, undefined),
        headers: { host: 'payments.internal', authorization: value },
      };
      const error = await rejection({ ...request, rawHeaders: undefined }, 'malformed_request');
      expect(error.status).toBe(400);
      expect(error.headers['WWW-Authenticate']).toMatch(/^DPoP error="invalid_request", .*algs="/);
    }
    const twice = { ...dpopRequest(token, undefined), url: '/orders/42?access_token=x' };
    await rejection(twice, 'malformed_request', fixture.with({ queryParameter: 'access_token' }));
  });
});

describe('dpop: { required: true }', () => {
  let required: Fixture['verifier'];
  beforeEach(() => {
    required = fixture.with({ dpop: { required: true }, realm: 'payments' });
  });

  it('refuses unbound bearer tokens with the DPoP challenge', async () => {
    const error = await rejection(bearer(await fixture.sign()), 'invalid_token_type', required);
    expect(error.headers['WWW-Authenticate']).toBe(
      `DPoP realm="payments", error="invalid_token", error_description="DPoP-bound token required", ${ALGS}`,
    );
  });

  it('challenges a request without credentials with DPoP only', async () => {
    const error = await rejection({ headers: {} }, 'missing_token', required);
    expect(error.headers['WWW-Authenticate']).toBe(`DPoP realm="payments", ${ALGS}`);
  });

  it('accepts bound tokens with a valid proof', async () => {
    const token = await boundToken();
    await expect(required.authenticate(dpopRequest(token, await proofFor(token)))).resolves.toBeDefined();
  });
});

describe('server nonces (RFC 9449 §8)', () => {
  const secret = 'a shared secret of at least 32 bytes!';
  const dpop: DpopOptions = { nonce: { secret, lifetime: '5m' } };

  it('are required when configured: use_dpop_nonce with a fresh DPoP-Nonce, then accepted', async () => {
    const verifier = fixture.with({ dpop });
    const token = await boundToken();
    const error = await rejection(
      dpopRequest(token, await proofFor(token, { claims: { jti: 'same' } })),
      'use_dpop_nonce',
      verifier,
    );
    const nonce = verifier.dpopNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(error.status).toBe(401);
    expect(error.headers['DPoP-Nonce']).toBe(nonce);
    expect(error.headers['WWW-Authenticate']).toBe(
      `DPoP error="use_dpop_nonce", error_description="DPoP proof needs the server nonce", ${ALGS}`,
    );
    expect(error.toJSON().error).toBe('use_dpop_nonce');
    // The refused proof's jti was not spent.
    const retry = dpopRequest(
      token,
      await proofFor(token, { nonce: nonce as string, claims: { jti: 'same' } }),
    );
    await expect(verifier.authenticate(retry)).resolves.toBeDefined();
  });

  it('rotate: the previous period is accepted, older nonces are stale', async () => {
    const verifier = fixture.with({ dpop });
    const token = await boundToken();
    const nonce = verifier.dpopNonce() as string;
    fixture.clock.now += 300;
    expect(verifier.dpopNonce()).not.toBe(nonce);
    await expect(
      verifier.authenticate(dpopRequest(token, await proofFor(token, { nonce }))),
    ).resolves.toBeDefined();
    fixture.clock.now += 300;
    const token2 = await boundToken();
    const error = await rejection(
      dpopRequest(token2, await proofFor(token2, { nonce })),
      'use_dpop_nonce',
      verifier,
    );
    expect(error.description).toBe('DPoP nonce expired or unknown');
    expect(error.headers['DPoP-Nonce']).toBe(verifier.dpopNonce());
  });

  it('are shared by replicas with the same secret, and refused from another secret', async () => {
    const replica = fixture.with({ dpop });
    const stranger = fixture.with({ dpop: { nonce: true } });
    const token = await boundToken();
    const proof = await proofFor(token, { nonce: replica.dpopNonce() as string });
    await rejection(dpopRequest(token, proof), 'use_dpop_nonce', stranger);
    await expect(fixture.with({ dpop }).authenticate(dpopRequest(token, proof))).resolves.toBeDefined();
  });

  it('are not handed out when not configured', () => {
    expect(fixture.verifier.dpopNonce()).toBeUndefined();
    expect(fixture.with({ dpop: undefined }).dpopNonce()).toBeUndefined();
  });
});

describe('the origin option', () => {
  it('replaces the Host header: a proof for the configured origin passes whatever Host says', async () => {
    const verifier = fixture.with({
      dpop: { origin: ['https://payments.internal', 'https://pay.example.com'] },
    });
    const token = await boundToken();
    const behindProxy = { host: '10.0.0.7:8080', encrypted: false };
    await expect(
      verifier.authenticate(dpopRequest(token, await proofFor(token), behindProxy)),
    ).resolves.toBeDefined();
    const other = await proofFor(token, { url: 'https://pay.example.com/orders/42' });
    await expect(verifier.authenticate(dpopRequest(token, other, behindProxy))).resolves.toBeDefined();
    const forHost = await proofFor(token, { url: 'http://10.0.0.7:8080/orders/42' });
    await rejection(dpopRequest(token, forHost, behindProxy), 'invalid_dpop_proof', verifier);
  });

  it('may be a function of the request', async () => {
    const verifier = fixture.with({ dpop: { origin: () => 'https://payments.internal' } });
    const token = await boundToken();
    const request = dpopRequest(token, await proofFor(token), { host: 'anything' });
    await expect(verifier.authenticate(request)).resolves.toBeDefined();
  });

  it('by default comes from Host, which must be present', async () => {
    const token = await boundToken();
    const request = dpopRequest(token, await proofFor(token));
    const error = await rejection(
      { ...request, headers: { ...request.headers, host: undefined }, rawHeaders: undefined },
      'malformed_request',
    );
    expect(error.headers['WWW-Authenticate']).toMatch(/^DPoP /);
  });
});

describe('the dpop option', () => {
  it.each([
    ['dpop', 'yes'],
    ['dpop.strict', { strict: true }],
    ['dpop.required', { required: 'yes' }],
    ['dpop.algorithms', { algorithms: [] }],
    ['dpop.algorithms[0]', { algorithms: ['HS256'] }],
    ['dpop.algorithms[0]', { algorithms: ['none'] }],
    ['dpop.origin', { origin: 'payments.internal' }],
    ['dpop.origin', { origin: 'https://payments.internal/api' }],
    ['dpop.origin[1]', { origin: ['https://a.internal', 'ftp://b.internal'] }],
    ['dpop.maxProofAge', { maxProofAge: 'soon' }],
    ['dpop.maxProofAge', { maxProofAge: 0 }],
    ['dpop.futureTolerance', { futureTolerance: -1 }],
    ['dpop.replayStore', { replayStore: {} }],
    ['dpop.nonce', { nonce: 'on' }],
    ['dpop.nonce.secret', { nonce: { secret: 'short' } }],
    ['dpop.nonce.rotate', { nonce: { rotate: true } }],
    ['dpop.nonce.lifetime', { nonce: { lifetime: 0 } }],
  ])('refuses an invalid %s at construction', (option, dpop) => {
    const error = expectConfigError(() => fixture.with({ dpop: dpop as DpopOptions }), option);
    expect(error.message.length).toBeGreaterThan(option.length + 10);
  });

  it('cannot be combined with extractToken', () => {
    expectConfigError(() => fixture.with({ dpop: {}, extractToken: () => undefined }), 'dpop');
  });
});
