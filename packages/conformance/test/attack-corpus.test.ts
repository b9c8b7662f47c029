/**
 * The attack corpus of `@org/auth-core` (packages/core/test/fixtures/attack-corpus.ts, imported by
 * relative path: one table, no dependency from core on this package), run over real HTTP against
 * every adapter. Each case must give the same status and code everywhere, never a 500 or a hang,
 * and the attacker's server must never be contacted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AttackEnvironment,
  attackCases,
  createAttackEnvironment,
} from '../../core/test/fixtures/attack-corpus.js';
import { appSpec } from '../src/app-spec.js';
import { type Running, send } from '../src/client.js';
import { targets } from '../src/targets/index.js';

let env: AttackEnvironment;
beforeAll(async () => {
  env = await createAttackEnvironment();
});
afterAll(async () => {
  // Checked once every target has run: jku, x5u and kid URLs are never fetched.
  expect(env.attackerHits()).toBe(0);
  await env.close();
});

describe.each(targets)('$name', (target) => {
  let app: Running;
  beforeAll(async () => {
    app = await target.start(appSpec(env.options));
  });
  afterAll(() => app.close());

  it.each(attackCases)('$id', async (attack) => {
    const reply = await send(app.url, {
      path: '/api/whoami',
      headers: { authorization: `Bearer ${attack.token(env)}` },
    });
    const code = reply.status === 200 ? null : (reply.json as { code?: unknown } | undefined)?.code;
    expect({ status: reply.status, code }).toEqual(attack.expect);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
  });
});
