import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = new URL('../examples/verify-service-token.mjs', import.meta.url);

describe('the README example', () => {
  it('is the file the tests run, word for word', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(readFileSync(example, 'utf8').trim());
  });

  it('runs and shows acceptance and each rejection', async () => {
    const { stdout } = await run(process.execPath, [example.pathname], { timeout: 15_000 });
    expect(stdout).toContain('accepted: service token from orders, may charge: true');
    expect(stdout).toContain('rejected expired token: 401 token_expired "token expired"');
    expect(stdout).toContain('rejected token for another service: 401 invalid_audience');
    expect(stdout).toContain('rejected token from an unknown caller: 403 caller_not_allowed');
    expect(stdout).toContain('audit: rejected caller_not_allowed (caller reporting)');
  });
});
