import { AuthError, createVerifier, type Verifier } from '@org/auth-core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthClientError,
  createAuthFetch,
  createClientCredentialsSource,
  createTokenClient,
  generateSigningKey,
  type SigningKey,
} from '../src/index.js';
import { readBody, startServer } from './helpers.js';
import {
  type AuthorizationServer,
  CLIENT_SECRET,
  ORDERS,
  startAuthorizationServer,
} from './oidc-provider.js';

const fastRetry = { attempts: 4, minDelay: '5ms', maxDelay: '20ms' } as const;

let as: AuthorizationServer;
let clientKey: SigningKey;
let verifier: Verifier;

beforeAll(async () => {
  clientKey = await generateSigningKey();
  as = await startAuthorizationServer({ clientJwk: clientKey.publicJwk! });
  // The receiving service: core verifier reading the issuer's real JWKS through discovery.
  verifier = createVerifier({
    issuers: { issuer: as.issuer, discovery: true },
    audience: ORDERS,
    services: { callers: ['billing-basic', 'billing-post', 'billing-jwt'] },
  });
});

afterAll(async () => {
  await as?.close();
});

describe('client credentials against a real authorization server (oidc-provider)', () => {
  it.each([
    ['client_secret_basic', 'billing-basic'],
    ['client_secret_post', 'billing-post'],
  ] as const)('gets a JWT access token with %s that core accepts', async (authMethod, clientId) => {
    const source = createClientCredentialsSource({
      issuer: as.issuer,
      clientId,
      clientSecret: CLIENT_SECRET,
      authMethod,
      scope: 'orders:read',
    });
    const issued = await source.getToken({ audience: ORDERS });
    expect(issued.scope).toBe('orders:read');
    expect(issued.expiresAt).toBeGreaterThan(Date.now() + 100_000);
    expect(issued.expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
    expect(decodeProtectedHeader(issued.accessToken).typ).toBe('at+jwt');
    const auth = await verifier.verify(issued.accessToken);
    expect(auth.kind).toBe('service');
    expect(auth.caller).toBe(clientId);
    expect(auth.can('orders:read')).toBe(true);
    expect(auth.can('orders:write')).toBe(false);
  });

  it('authenticates with private_key_jwt (RFC 7523) at an explicit token endpoint', async () => {
    const source = createClientCredentialsSource({
      tokenEndpoint: as.tokenEndpoint,
      issuer: as.issuer,
      clientId: 'billing-jwt',
      privateKey: clientKey,
    });
    const issued = await source.getToken({ audience: ORDERS, scope: 'orders:write' });
    const claims = decodeJwt(issued.accessToken);
    expect(claims).toMatchObject({
      aud: ORDERS,
      client_id: 'billing-jwt',
      source: 'microservice',
      scope: 'orders:write',
    });
    expect((await verifier.verify(issued.accessToken)).can('orders:write')).toBe(true);
  });

  it('caches per audience, and the fetch wrapper calls a protected service end to end', async () => {
    const before = as.tokenRequests;
    const tokens = createTokenClient({
      source: createClientCredentialsSource({
        issuer: as.issuer,
        clientId: 'billing-basic',
        clientSecret: CLIENT_SECRET,
      }),
    });
    const orders = await startServer(async (req, res) => {
      try {
        const auth = await verifier.authenticate(req);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ caller: auth?.caller }));
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        res.writeHead(error.status, error.headers).end(JSON.stringify(error));
      }
    });
    try {
      const authFetch = createAuthFetch({ tokens, audience: { [orders.url]: ORDERS } });
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => authFetch(`${orders.url}/orders`)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(await responses[0]!.json()).toEqual({ caller: 'billing-basic' });
      expect(as.tokenRequests - before).toBe(1);
    } finally {
      await orders.close();
    }
  });

  it('surfaces a 4xx as a typed error with the OAuth code, without the secret', async () => {
    const wrongSecret = 'wrong-secret-that-must-not-leak-42';
    const source = createClientCredentialsSource({
      issuer: as.issuer,
      clientId: 'billing-basic',
      clientSecret: wrongSecret,
      retry: fastRetry,
    });
    const before = as.tokenRequests;
    const error = (await source
      .getToken({ audience: ORDERS })
      .catch((err: unknown) => err)) as AuthClientError;
    expect(error).toBeInstanceOf(AuthClientError);
    expect(error).toMatchObject({
      code: 'token_request_rejected',
      oauthError: 'invalid_client',
      status: 401,
    });
    expect(as.tokenRequests - before).toBe(1); // 4xx is not retried
    const rendered = `${String(error)} ${JSON.stringify(error)} ${error.stack} ${String(error.cause)}`;
    expect(rendered).not.toContain(wrongSecret);
  });

  it('names invalid_target for a resource the server does not know', async () => {
    const source = createClientCredentialsSource({
      issuer: as.issuer,
      clientId: 'billing-basic',
      clientSecret: CLIENT_SECRET,
    });
    await expect(source.getToken({ audience: 'https://unknown.internal' })).rejects.toMatchObject({
      code: 'token_request_rejected',
      oauthError: 'invalid_target',
    });
  });

  it('fails discovery with a typed error for an issuer without metadata', async () => {
    const empty = await startServer((_req, res) => res.writeHead(404).end());
    try {
      const source = createClientCredentialsSource({
        issuer: empty.url,
        clientId: 'x',
        clientSecret: 'y',
        retry: fastRetry,
      });
      await expect(source.getToken({ audience: ORDERS })).rejects.toMatchObject({ code: 'discovery_failed' });
    } finally {
      await empty.close();
    }
  });
});

describe('client credentials fault cases (mock token endpoint)', () => {
  it('retries 5xx storms with back-off, then succeeds and honours expires_in', async () => {
    let calls = 0;
    const bodies: string[] = [];
    const server = await startServer(async (req, res) => {
      calls += 1;
      bodies.push(await readBody(req));
      if (calls <= 3) {
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'opaque-token', token_type: 'Bearer', expires_in: 42 }));
    });
    try {
      const started = Date.now();
      const source = createClientCredentialsSource({
        tokenEndpoint: `${server.url}/token`,
        clientId: 'billing',
        clientSecret: 's3cret',
        authMethod: 'client_secret_post',
        audienceParameter: 'audience',
        retry: fastRetry,
      });
      const issued = await source.getToken({ audience: 'orders', scope: 'a b' });
      expect(issued.accessToken).toBe('opaque-token');
      // Counted from when the successful request was sent.
      expect(issued.expiresAt).toBeGreaterThanOrEqual(started + 42_000);
      expect(issued.expiresAt).toBeLessThanOrEqual(Date.now() + 42_000);
      expect(calls).toBe(4);
      const form = new URLSearchParams(bodies[0]);
      expect(Object.fromEntries(form)).toEqual({
        grant_type: 'client_credentials',
        audience: 'orders',
        scope: 'a b',
        client_id: 'billing',
        client_secret: 's3cret',
      });
    } finally {
      await server.close();
    }
  });

  it('gives up after the bounded attempts with token_endpoint_unavailable', async () => {
    let calls = 0;
    const server = await startServer((req, res) => {
      calls += 1;
      if (calls % 2 === 0)
        req.socket.destroy(); // network error
      else res.writeHead(500).end();
    });
    try {
      const source = createClientCredentialsSource({
        tokenEndpoint: server.url,
        clientId: 'c',
        clientSecret: 'topsecret',
        retry: fastRetry,
      });
      const error = (await source
        .getToken({ audience: ORDERS })
        .catch((err: unknown) => err)) as AuthClientError;
      expect(error).toMatchObject({ code: 'token_endpoint_unavailable' });
      expect(calls).toBe(4);
      expect(String(error)).not.toContain('topsecret');
    } finally {
      await server.close();
    }
  });

  it('keeps the cached token while the token service is down', async () => {
    let now = Date.now();
    let up = true;
    const server = await startServer((_req, res) => {
      if (!up) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `t${now}`, token_type: 'bearer', expires_in: 300 }));
    });
    try {
      const source = createClientCredentialsSource({
        tokenEndpoint: server.url,
        clientId: 'c',
        clientSecret: 's',
        retry: fastRetry,
        now: () => now,
      });
      const tokens = createTokenClient({ source, now: () => now });
      const first = await tokens.getToken(ORDERS);
      up = false;
      now += 270_000; // inside the refresh margin
      expect(await tokens.getToken(ORDERS)).toBe(first);
      now += 31_000; // expired
      await expect(tokens.getToken(ORDERS)).rejects.toMatchObject({ code: 'token_endpoint_unavailable' });
    } finally {
      await server.close();
    }
  });

  it('rejects token responses without a bearer token', async () => {
    const answers = [{ token_type: 'bearer' }, { access_token: 'x', token_type: 'DPoP' }];
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers.shift()));
    });
    try {
      const source = createClientCredentialsSource({
        tokenEndpoint: server.url,
        clientId: 'c',
        clientSecret: 's',
      });
      await expect(source.getToken({ audience: ORDERS })).rejects.toMatchObject({
        code: 'invalid_token_response',
      });
      await expect(source.getToken({ audience: ORDERS })).rejects.toMatchObject({
        code: 'invalid_token_response',
      });
    } finally {
      await server.close();
    }
  });

  it('validates options at construction, naming the option', () => {
    const base = { tokenEndpoint: 'https://as.example/token', clientId: 'c', clientSecret: 's' };
    expect(() =>
      createClientCredentialsSource({ ...base, tokenEndpoint: 'http://as.example/token' }),
    ).toThrow(/^tokenEndpoint: must be https/);
    expect(() => createClientCredentialsSource({ clientId: 'c', clientSecret: 's' })).toThrow(
      /^tokenEndpoint:/,
    );
    expect(() => createClientCredentialsSource({ ...base, clientId: '' })).toThrow(/^clientId:/);
    expect(() => createClientCredentialsSource({ ...base, clientSecret: undefined as never })).toThrow(
      /^clientSecret:/,
    );
    expect(() => createClientCredentialsSource({ ...base, authMethod: 'private_key_jwt' })).toThrow(
      /^privateKey:/,
    );
    expect(() => createClientCredentialsSource({ ...base, retry: { attempts: 0 } })).toThrow(
      /^retry\.attempts:/,
    );
    expect(() => createClientCredentialsSource({ ...base, timeout: 'forever' })).toThrow(/^timeout:/);
    expect(() =>
      createClientCredentialsSource({
        ...base,
        tokenEndpoint: 'http://10.0.0.1/token',
        allowInsecureHttp: true,
      }),
    ).not.toThrow();
  });
});
