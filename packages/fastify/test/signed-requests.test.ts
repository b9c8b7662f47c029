import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createSignedApp } from '../examples/signed-requests.js';
import { expectSignedRequestsExample } from './helpers.js';

describe('README signed-requests example', () => {
  it('is the file tested here, verbatim', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = await readFile(new URL('../examples/signed-requests.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

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
