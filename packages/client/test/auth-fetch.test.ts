import { AuthError, createVerifier } from '@org/auth-core';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAuthFetch,
  createSelfSignedSource,
  createTokenClient,
  generateSigningKey,
  type SigningKey,
  type TokenClient,
} from '../src/index.js';
import { readBody, startServer, type TestServer } from './helpers.js';

let key: SigningKey;
let receiver: TestServer;
let seen: { authorization: string | undefined; body: string; method: string }[];
let revoked: Set<string>;

beforeEach(async () => {
  key = await generateSigningKey();
  seen = [];
  revoked = new Set();
  const verifier = createVerifier({
    issuers: { issuer: 'billing', jwks: { keys: [key.publicJwk!] } },
    audience: 'orders',
    revocation: { isRevoked: ({ tokenId }) => tokenId !== undefined && revoked.has(tokenId) },
  });
  receiver = await startServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ authorization: req.headers.authorization, body, method: req.method ?? '' });
    try {
      const auth = await verifier.authenticate(req);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ caller: auth?.caller, body }));
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      res.writeHead(error.status, error.headers);
      res.end(JSON.stringify(error));
    }
  });
});

afterEach(async () => {
  await receiver.close();
});

function client(): { tokens: TokenClient; authFetch: typeof fetch } {
  const tokens = createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
  return { tokens, authFetch: createAuthFetch({ tokens, audience: { [receiver.url]: 'orders' } }) };
}

describe('createAuthFetch', () => {
  it('attaches a bearer token for the mapped audience', async () => {
    const { authFetch } = client();
    const res = await authFetch(`${receiver.url}/orders/42`, {
      method: 'POST',
      headers: { 'x-request-id': 'r1' },
      body: 'hello',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ caller: 'billing', body: 'hello' });
    expect(seen[0]?.authorization).toMatch(/^Bearer ey/);
  });

  it('retries once with a fresh token on 401 invalid_token, replaying the body', async () => {
    const { tokens, authFetch } = client();
    const stale = await tokens.getToken('orders');
    revoked.add(decodeJwt(stale).jti!);
    const res = await authFetch(new Request(`${receiver.url}/orders`, { method: 'PUT', body: 'again' }));
    expect(res.status).toBe(200);
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['PUT', 'again'],
      ['PUT', 'again'],
    ]);
    expect(seen[0]?.authorization).toBe(`Bearer ${stale}`);
    expect(seen[1]?.authorization).not.toBe(`Bearer ${stale}`);
  });

  it('does not loop when the fresh token is rejected too', async () => {
    const fixed = { getToken: async () => 'not-a-jwt' };
    const authFetch = createAuthFetch({ tokens: fixed, audience: () => 'orders' });
    const res = await authFetch(`${receiver.url}/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    expect(seen).toHaveLength(1);
  });

  it('does not retry a 401 without invalid_token, nor other statuses', async () => {
    let calls = 0;
    const tokens = { getToken: async () => `t${++calls}` };
    const server = await startServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="x"' });
      res.end();
    });
    try {
      const authFetch = createAuthFetch({ tokens, audience: { [server.url]: 'x' } });
      expect((await authFetch(server.url)).status).toBe(401);
      expect(calls).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('refuses targets without audience so no token leaks', async () => {
    const { authFetch } = client();
    await expect(authFetch('http://127.0.0.1:1/')).rejects.toMatchObject({ code: 'no_audience' });
    expect(() => createAuthFetch({ tokens: client().tokens, audience: { 'not a url': 'x' } })).toThrow(
      /^audience\["not a url"\]:/,
    );
  });

  it('passes init options through to the underlying fetch', async () => {
    const calls: RequestInit[] = [];
    const fake = (async (_input: unknown, init?: RequestInit) => {
      calls.push(init ?? {});
      return new Response('ok');
    }) as typeof fetch;
    const tokens = { getToken: async () => 'tok' };
    const authFetch = createAuthFetch({ tokens, audience: () => 'orders', fetch: fake });
    const dispatcher = { dispatch: () => true };
    await authFetch('https://orders.internal/x', {
      dispatcher,
      headers: [['x-a', '1']],
    } as unknown as RequestInit);
    expect((calls[0] as { dispatcher?: unknown }).dispatcher).toBe(dispatcher);
    const headers = new Headers(calls[0]?.headers);
    expect(headers.get('authorization')).toBe('Bearer tok');
    expect(headers.get('x-a')).toBe('1');
  });
});
