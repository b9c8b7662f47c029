import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { type RedisServer, startRedisServer } from './redis-server.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../examples/shared-revocation.ts', import.meta.url), 'utf8');
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer(); // without persistence, as a default local Redis may be
});
afterAll(() => server.dispose());
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

it('the README example is examples/shared-revocation.ts, verbatim', () => {
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
});

it('the install line names every package the example imports, and the supported ioredis majors', () => {
  const install = /```sh\n(pnpm add [^\n]+)\n```/.exec(readme)?.[1]?.split(' ').slice(2) ?? [];
  const imported = [...example.matchAll(/^import .* from '([^.][^']*)';$/gm)].map(([, specifier]) =>
    specifier?.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier?.split('/')[0],
  );
  expect(imported).toEqual(['@org/auth-core', '@org/auth-redis', 'ioredis', 'jose']);
  expect(install).toEqual(expect.arrayContaining(imported));
  expect(manifest.peerDependencies.ioredis).toBe('^5.4.0 || ^6.0.0');
  expect(readme).toContain('`ioredis` `^5.4.0 || ^6.0.0`');
});

it('the README example runs as a script and prints what the README says', async () => {
  vi.stubEnv('REDIS_URL', server.url);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  await import('../examples/shared-revocation.js');
  expect(log.mock.calls.map(([line]) => line).join('\n')).toBe(
    /It prints \(the test checks it\):\n\n```text\n([^`]+)\n```/.exec(readme)?.[1],
  );
  expect(log.mock.calls).toEqual([
    ['first use on replica A: accepted'],
    ['replay on replica B: 401 token_revoked'],
    ['revoked on A, used on B: 401 token_revoked'],
  ]);
  // This Redis does not persist: each replica warns once, at startup, as the README shows.
  expect(warn.mock.calls).toHaveLength(2);
  for (const [message] of warn.mock.calls) expect(readme).toContain(message);
  expect(error).not.toHaveBeenCalled();
});
