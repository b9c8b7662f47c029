import {
  type AttackEnvironment,
  attackCases,
  createAttackEnvironment,
} from '@org/auth-testing/attack-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, type Target } from './app-spec.js';
import { type Running, send } from './client.js';

/**
 * The attack corpus of `@org/auth-testing/attack-corpus` over real HTTP against one target: each
 * case gets the same status and code as from the core, as JSON, never a 500 or a hang, and the
 * attacker's server is never contacted.
 */
export function describeAttackCorpus(target: Target): void {
  describe('attack corpus', () => {
    let env: AttackEnvironment;
    let app: Running;
    beforeAll(async () => {
      env = await createAttackEnvironment();
      app = await target.start(appSpec(env.options));
    });
    afterAll(async () => {
      await app?.close();
      await env?.close();
    });

    it.each(attackCases)('$id', async (attack) => {
      const reply = await send(app.url, {
        path: '/api/whoami',
        headers: { authorization: `Bearer ${attack.token(env)}` },
      });
      const code = reply.status === 200 ? null : (reply.json as { code?: unknown } | undefined)?.code;
      expect({ status: reply.status, code }).toEqual(attack.expect);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
    });

    it("never asked the attacker's server for anything (jku, x5u and kid URLs are not fetched)", () => {
      expect(env.attackerHits()).toBe(0);
    });
  });
}
