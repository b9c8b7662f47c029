import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES } from '../src/index.js';

const run = promisify(execFile);
const cwd = new URL('..', import.meta.url).pathname;

// The published entry point, loaded as users load it: by package name, from the built files.
describe('the built package', () => {
  it('loads with import', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@org/auth-core'); console.log(typeof m.createVerifier, m.AUTH_ERROR_CODES.length)",
      ],
      { cwd },
    );
    expect(stdout.trim()).toBe(`function ${AUTH_ERROR_CODES.length}`);
  });

  it('loads with require() on every supported Node line (require of ESM)', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--no-warnings',
        '-e',
        "const m = require('@org/auth-core'); console.log(typeof m.createVerifier, typeof m.AuthError)",
      ],
      { cwd },
    );
    expect(stdout.trim()).toBe('function function');
  });
});
