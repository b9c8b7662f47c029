/**
 * Test helpers shared by the three adapters' own test suites: an HS256 verifier configuration, a
 * token minted for it, a loopback server for one test, and a GET with an optional bearer token. One copy, so that the adapters'
 * tests cannot drift apart (the adapters' packages do not depend on jose).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthEvent, signRequest, type VerifierOptions } from '@org/auth-core';
import { expect } from 'vitest';

export const ISSUER = 'https://auth.test';
const SECRET = 'a-test-secret-of-at-least-32-bytes!!';

/** Options of a verifier that trusts HS256 tokens from {@link token}. */
export function verifierOptions(events: AuthEvent[] = []): VerifierOptions {
  return {
    issuers: [{ issuer: ISSUER, secret: SECRET, algorithms: ['HS256'] }],
    audience: 'payments',
    realm: 'payments',
    onEvent: (event) => events.push(event),
  };
}

/** An HS256 service token from caller `orders` for `payments`; `claims` patches it. */
export function token(claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: ISSUER,
    sub: 'orders',
    aud: 'payments',
    source: 'microservice',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...claims,
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

/** Serves `handler` on an ephemeral loopback port for the duration of `run`. */
export async function withServer<T>(handler: RequestListener, run: (url: string) => Promise<T>): Promise<T> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** GET with an optional bearer token. */
export function get(url: string, bearer?: string): Promise<Response> {
  return fetch(url, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
}

/**
 * Checks a README's signed-requests example served at `url` (billing may create orders, with
 * `secret`): a signed JSON body is accepted and parsed, another body than the signed one is 401.
 */
export async function expectSignedRequestsExample(url: string, secret: string): Promise<void> {
  const post = (body: string, signedBody = body) =>
    fetch(`${url}/orders`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        authorization: signRequest({
          keyId: 'billing',
          secret,
          method: 'POST',
          url: `${url}/orders`,
          headers: { 'content-type': 'application/json' },
          body: signedBody,
        }),
      },
    });
  const created = await post('{"sku":"A1"}');
  expect(created.status).toBe(201);
  expect(await created.json()).toEqual({ createdBy: 'billing', order: { sku: 'A1' } });
  const tampered = await post('{"sku":"A1","qty":1000}', '{"sku":"A1"}');
  expect(tampered.status).toBe(401);
  expect(tampered.headers.get('www-authenticate')).toBe(
    'HMAC-SHA256 realm="orders", error="invalid_token", error_description="request body does not match its signature"',
  );
  expect(await tampered.json()).toEqual({
    error: 'invalid_token',
    error_description: 'request body does not match its signature',
    code: 'body_mismatch',
  });
  const unsigned = await fetch(`${url}/orders`, { method: 'POST' });
  expect(unsigned.status).toBe(401);
  expect(unsigned.headers.get('www-authenticate')).toBe('HMAC-SHA256 realm="orders"');
}

/**
 * The package README shows `example` (a path from the package root, e.g.
 * `examples/readme-example.ts`) verbatim in a `ts` code block, so the tested file is the
 * documented one. `testUrl` is the calling test's `import.meta.url`, in the package's `test/`.
 */
export async function expectReadmeShows(testUrl: string, example: string): Promise<void> {
  const root = new URL('../', testUrl);
  const readme = await readFile(new URL('README.md', root), 'utf8');
  const code = await readFile(new URL(example, root), 'utf8');
  expect(readme).toContain(`\`\`\`ts\n${code}\`\`\``);
}
