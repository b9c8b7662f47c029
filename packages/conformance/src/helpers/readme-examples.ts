/**
 * The README examples of an adapter package, tested the same way in each: the example files are
 * shown verbatim in the README, and they behave as the README says over real HTTP.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { signRequest, type VerifierOptions } from '@org/auth-core';
import { describe, expect, it } from 'vitest';
import type { Running } from '../client.js';
import { token, verifierOptions } from './adapter-test-helpers.js';

/** How an adapter package builds and serves the two examples of its README. */
export interface ReadmeExamples {
  /** The calling test's `import.meta.url`, in the package's `test/` folder. */
  readonly testUrl: string;
  /** `examples/readme-example.ts`: `authOptions` and `createApp(options)`. */
  readonly readmeExample: {
    /** Builds the middleware or plugin of the example's production options; throws or rejects if invalid. */
    acceptProductionOptions(): unknown;
    /** Serves the example's app, authenticating with `options`. */
    serve(options: VerifierOptions): Promise<Running>;
  };
  /** `examples/signed-requests.ts`: serves `createSignedApp(secret)`, `secret` being billing's. */
  readonly signedRequestsExample: {
    serve(secret: string): Promise<Running>;
  };
}

/**
 * Defines the README tests of an adapter package: each example file is shown verbatim in the
 * README, the readme example accepts its production options and answers a permitted read (200), a
 * permitted create (201) and a refused create (403, exact challenge and body); the signed-requests
 * example accepts a signed JSON body and refuses another body than the signed one.
 */
export function defineReadmeExampleTests({
  testUrl,
  readmeExample,
  signedRequestsExample,
}: ReadmeExamples): void {
  describe('README example', () => {
    it('is the file tested here, verbatim', () => expectReadmeShows(testUrl, 'examples/readme-example.ts'));

    it('has valid production options', async () => {
      await readmeExample.acceptProductionOptions();
    });

    it('serves authenticated and refused requests over HTTP', async () => {
      const app = await readmeExample.serve(verifierOptions());
      try {
        await expectReadmeExample(app.url);
      } finally {
        await app.close();
      }
    });
  });

  describe('README signed-requests example', () => {
    it('is the file tested here, verbatim', () => expectReadmeShows(testUrl, 'examples/signed-requests.ts'));

    it('accepts a signed JSON body and refuses another body than the signed one, over HTTP', async () => {
      const secret = randomBytes(32).toString('base64url');
      const app = await signedRequestsExample.serve(secret);
      try {
        await expectSignedRequestsExample(app.url, secret);
      } finally {
        await app.close();
      }
    });
  });
}

/**
 * Checks a README's example served at `url` with {@link verifierOptions}: `GET /payments` needs
 * `payments:read` and answers the caller and tenant; `POST /payments` needs `payments:create`
 * (here from a scope) and answers 201, or 403 with the exact challenge and body.
 */
export async function expectReadmeExample(url: string): Promise<void> {
  const read = await fetch(`${url}/payments`, {
    headers: { authorization: `Bearer ${token({ permissions: ['payments:read'], tenant: 'acme' })}` },
  });
  expect(read.status).toBe(200);
  expect(await read.json()).toEqual({ caller: 'orders', tenant: 'acme' });

  const created = await fetch(`${url}/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token({ scope: 'payments:create' })}` },
  });
  expect(created.status).toBe(201);
  expect(await created.json()).toEqual({ createdBy: 'orders' });

  const refused = await fetch(`${url}/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token()}` },
  });
  expect(refused.status).toBe(403);
  expect(refused.headers.get('www-authenticate')).toBe(
    'Bearer realm="payments", error="insufficient_scope", error_description="missing permission payments:create", scope="payments:create"',
  );
  expect(await refused.json()).toEqual({
    error: 'insufficient_scope',
    error_description: 'missing permission payments:create',
    code: 'insufficient_permission',
  });
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
