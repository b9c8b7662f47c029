/**
 * Test helpers shared by the three adapters' own test suites: an HS256 verifier configuration, a
 * token minted for it, a loopback server for one test, and a GET with an optional bearer token.
 * One copy, so that the adapters' tests cannot drift apart (the adapters' packages do not depend
 * on jose).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthEvent, VerifierOptions } from '@org/auth-core';
import { listen, type Running } from '../client.js';

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

/** Serves `handler` on an ephemeral loopback port until `close()`. */
export function serve(handler: RequestListener): Promise<Running> {
  return listen(createServer(handler));
}
