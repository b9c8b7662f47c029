import {
  type AttackEnvironment,
  attackCases,
  createAttackEnvironment,
  highS,
} from '@org/auth-testing/attack-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, isAuthError, type Verifier } from '../src/index.js';

let env: AttackEnvironment;
let verifier: Verifier;
beforeAll(async () => {
  env = await createAttackEnvironment();
  verifier = createVerifier(env.options);
  await verifier.ready();
});
afterAll(() => env.close());

/** The outcome as status and code; anything that is not an AuthError is reported as such. */
async function outcome(
  token: string,
): Promise<{ status: number; code: string | null } | { unexpected: string }> {
  try {
    await verifier.authenticate({ headers: { authorization: `Bearer ${token}` } });
    return { status: 200, code: null };
  } catch (error) {
    return isAuthError(error) ? { status: error.status, code: error.code } : { unexpected: String(error) };
  }
}

describe('attack corpus, through the core', () => {
  it('has at least 60 cases with unique ids, each with a source and a reason', () => {
    expect(attackCases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(attackCases.map((attack) => attack.id)).size).toBe(attackCases.length);
    for (const attack of attackCases) {
      expect(attack.source, attack.id).not.toBe('');
      expect(attack.reason, attack.id).not.toBe('');
    }
  });

  it.each(attackCases)('$id: $name', async (attack) => {
    const result = await Promise.race([
      outcome(attack.token(env)),
      new Promise((resolve) => setTimeout(() => resolve({ unexpected: 'hang' }), 5000).unref()),
    ]);
    expect(result).toEqual(attack.expect);
  });

  it("never asked the attacker's server for anything (jku, x5u, kid URLs are not fetched)", () => {
    expect(env.attackerHits()).toBe(0);
  });

  it('a high-S twin is another token string with the same jti: never key replay protection on token bytes', async () => {
    const claims = env.claims();
    const low = env.jws({ alg: 'ES256', kid: 'ec-1' }, claims, env.signers.ec.sign);
    const [header, payload, signature] = low.split('.') as [string, string, string];
    const high = `${header}.${payload}.${highS(Buffer.from(signature, 'base64url')).toString('base64url')}`;
    expect(high).not.toBe(low);
    const [first, second] = [await verifier.verify(low), await verifier.verify(high)];
    expect(second.tokenId).toBe(first.tokenId);
  });
});
