import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSignedApp } from '../examples/signed-requests.js';
import { expectReadmeShows, expectSignedRequestsExample } from './helpers.js';

describe('README signed-requests example', () => {
  it('is the file tested here, verbatim', () =>
    expectReadmeShows(import.meta.url, 'examples/signed-requests.ts'));

  it('accepts a signed JSON body and refuses another body than the signed one, over HTTP', async () => {
    const secret = randomBytes(32).toString('base64url');
    const app = await createSignedApp(secret);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await expectSignedRequestsExample(url, secret);
    } finally {
      await app.close();
    }
  });
});
