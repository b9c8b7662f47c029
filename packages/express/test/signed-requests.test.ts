import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createSignedApp } from '../examples/signed-requests.js';
import { expectSignedRequestsExample, withServer } from './helpers.js';

describe('README signed-requests example', () => {
  it('is the file tested here, verbatim', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = await readFile(new URL('../examples/signed-requests.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('accepts a signed JSON body and refuses another body than the signed one, over HTTP', async () => {
    const secret = randomBytes(32).toString('base64url');
    await withServer(createSignedApp(secret), (url) => expectSignedRequestsExample(url, secret));
  });
});
