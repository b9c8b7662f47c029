/**
 * Bounded HTTP fuzzing through every adapter: random Authorization headers and random or mutated
 * tokens. Only 200, 400 (`invalid_request` for a malformed header, RFC 6750 §3.1), 401, 403 or 503
 * may come back, never a 500; and a flood of random `kid`s cannot make the verifier hammer the key
 * server (fetches stay within the cooldown budget). Every loop is bounded in runs and in time.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttackEnvironment, createAttackEnvironment } from '../../core/test/fixtures/attack-corpus.js';
import { appSpec } from '../src/app-spec.js';
import { type Running, send } from '../src/client.js';
import { targets } from '../src/targets/index.js';

const ALLOWED = [200, 400, 401, 403, 503];
const RUNS = 60;
const TIME_LIMIT_MS = 8000;

let env: AttackEnvironment;
beforeAll(async () => {
  env = await createAttackEnvironment();
});
afterAll(() => env.close());

/** Header-safe text: printable ASCII and tab (Node refuses CR, LF and NUL in header values). */
const headerText = (maxLength: number) =>
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength }).map((codes) => String.fromCharCode(...codes));
const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/);

describe.each(targets)('$name', (target) => {
  let app: Running;
  beforeAll(async () => {
    app = await target.start(appSpec(env.options));
    // Warm the key cache, so that the fetch budget below counts only what the fuzzing causes.
    const warm = await send(app.url, {
      path: '/api/whoami',
      headers: { authorization: `Bearer ${env.valid()}` },
    });
    expect(warm.status).toBe(200);
  });
  afterAll(() => app.close());

  const status = async (authorization: string) =>
    (await send(app.url, { path: '/api/whoami', headers: { authorization } })).status;

  it('random Authorization headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          headerText(200),
          headerText(200).map((text) => `Bearer ${text}`),
          fc.tuple(b64url, b64url, b64url).map((parts) => `Bearer ${parts.join('.')}`),
          fc.constantFrom('Bearer', 'Bearer  ', 'Basic x', 'bearer\t.', 'Bearer a.b.c.d.e'),
        ),
        async (authorization) => {
          expect(ALLOWED).toContain(await status(authorization));
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
  });

  it('valid tokens with one character changed or cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.integer({ min: 0x21, max: 0x7e }),
        fc.boolean(),
        async (at, code, cut) => {
          const token = env.valid();
          const index = at % token.length;
          const mutated = cut
            ? token.slice(0, index)
            : `${token.slice(0, index)}${String.fromCharCode(code)}${token.slice(index + 1)}`;
          expect(ALLOWED).toContain(await status(`Bearer ${mutated}`));
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
  });

  it('random headers and claims, validly signed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        fc.dictionary(
          fc.constantFrom('iss', 'aud', 'exp', 'nbf', 'iat', 'sub', 'source', 'jti', 'permissions', 'nonce'),
          fc.jsonValue({ maxDepth: 1 }),
          { maxKeys: 4 },
        ),
        async (header, patch) => {
          const token = env.jws(
            { ...header, alg: 'ES256', kid: 'ec-1' },
            env.claims(patch),
            env.signers.ec.sign,
          );
          expect(ALLOWED).toContain(await status(`Bearer ${token}`));
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
  });

  it('a flood of random kids stays within the key server fetch budget', async () => {
    const before = env.jwksFetches();
    for (let i = 0; i < 100; i++) {
      const token = env.jws({ alg: 'ES256', kid: randomUUID() }, env.claims(), env.signers.attacker.sign);
      expect(await status(`Bearer ${token}`)).toBe(401);
    }
    // The default cooldown is 30 s and this loop takes far less: one refetch at most for the
    // first unknown kid (no timing is asserted, only that 100 kids did not cause 100 fetches).
    expect(env.jwksFetches() - before).toBeLessThanOrEqual(1);
  });
});
