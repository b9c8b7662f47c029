import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSignedApp } from '../examples/signed-requests.js';
import { expectReadmeShows, expectSignedRequestsExample, withServer } from './helpers.js';

describe('README signed-requests example', () => {
  it('is the file tested here, verbatim', () =>
    expectReadmeShows(import.meta.url, 'examples/signed-requests.ts'));

  it('accepts a signed JSON body and refuses another body than the signed one, over HTTP', async () => {
    const secret = randomBytes(32).toString('base64url');
    await withServer(createSignedApp(secret), (url) => expectSignedRequestsExample(url, secret));
  });
});
