import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../examples/shared-revocation.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.stop());

it('the README example is examples/shared-revocation.ts, and it runs as documented', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const source = readFileSync(new URL('../examples/shared-revocation.ts', import.meta.url), 'utf8');
  expect(readme).toContain(source.trim());
  expect(await main(server.url)).toEqual([
    'first use on replica A: accepted',
    'replay on replica B: 401 token_revoked',
    'revoked on A, used on B: 401 token_revoked',
  ]);
});
