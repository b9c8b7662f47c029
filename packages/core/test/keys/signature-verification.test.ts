/**
 * Signatures on the event loop and on libuv's thread pool give the same answer: on Project
 * Wycheproof's JWS vectors (see test/jws/wycheproof.test.ts), on the attack corpus, and through
 * a verifier that switches between the two as fresh verifications overlap.
 */
import { readFileSync } from 'node:fs';
import {
  type AttackEnvironment,
  attackCases,
  createAttackEnvironment,
} from '@org/auth-testing/attack-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthConfigError, createVerifier, isAuthError, type Verifier } from '../../src/index.js';
import { compileStaticKeys } from '../../src/keys/compile-issuers.js';
import {
  compileSignatureVerification,
  type LoopMeter,
  SignatureScheduler,
} from '../../src/keys/signature-verification.js';
import { verifyWithKeys } from '../../src/keys/verify-signature.js';
import { decodeJws } from '../../src/token/decode-token.js';

interface Vector {
  readonly tcId: number;
  readonly jws: string | Record<string, unknown>;
}
interface Group {
  readonly public?: Record<string, unknown>;
  readonly private?: Record<string, unknown>;
  readonly tests: readonly Vector[];
}

const ALWAYS_OFFLOAD = new SignatureScheduler(0);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/** The group's key as an issuer would be configured (as in wycheproof.test.ts), or undefined when refused. */
function sourceOf(group: Group) {
  const set = (value: Record<string, unknown>) =>
    (Array.isArray(value.keys) ? value.keys : [value]) as Record<string, unknown>[];
  try {
    if (group.public !== undefined) {
      return compileStaticKeys('keys', { issuer: 'urn:jws', jwks: { keys: set(group.public) } } as never);
    }
    const [first, ...rest] = set(group.private ?? {});
    if (first?.kty === 'oct' && rest.length === 0) {
      return compileStaticKeys('keys', {
        issuer: 'urn:jws',
        secret: Buffer.from(String(first.k ?? ''), 'base64url'),
        algorithms: [typeof first.alg === 'string' ? first.alg : 'HS256'],
      } as never);
    }
    const keys = set(group.private ?? {}).map((jwk) =>
      Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.includes(name))),
    );
    return compileStaticKeys('keys', { issuer: 'urn:jws', jwks: { keys } } as never);
  } catch (error) {
    if (error instanceof AuthConfigError) return undefined;
    throw error;
  }
}

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'accepted';
  } catch (error) {
    return isAuthError(error) ? error.code : `unexpected: ${String(error)}`;
  }
}

describe('thread-pool and event-loop signature checks agree', () => {
  it('on every compact Wycheproof JWS vector', async () => {
    const groups = (
      JSON.parse(
        readFileSync(new URL('../fixtures/wycheproof/json_web_signature_test.json', import.meta.url), 'utf8'),
      ) as { testGroups: Group[] }
    ).testGroups;
    const tally = { compared: 0, accepted: 0, invalid_signature: 0 };
    for (const group of groups) {
      const source = sourceOf(group);
      if (source === undefined) continue;
      for (const vector of group.tests) {
        if (typeof vector.jws !== 'string') continue;
        const jws = vector.jws;
        let header: ReturnType<typeof decodeJws>['header'];
        try {
          ({ header } = decodeJws(jws, true));
        } catch {
          continue; // refused before any signature check, on either path
        }
        const onLoop = await outcome(() => verifyWithKeys(jws, header, source));
        const onPool = await outcome(() => verifyWithKeys(jws, header, source, ALWAYS_OFFLOAD));
        expect(onPool, `tcId ${vector.tcId}`).toBe(onLoop);
        expect(onLoop, `tcId ${vector.tcId}`).not.toMatch(/^unexpected/);
        tally.compared++;
        if (onLoop === 'accepted') tally.accepted++;
        if (onLoop === 'invalid_signature') tally.invalid_signature++;
      }
    }
    // Both answers are exercised on many vectors, not only refusals before the signature.
    expect(tally.compared).toBeGreaterThan(200);
    expect(tally.accepted).toBeGreaterThan(20);
    expect(tally.invalid_signature).toBeGreaterThan(50);
  });

  describe('on the attack corpus', () => {
    let env: AttackEnvironment;
    let verifiers: Record<'sync' | 'async' | 'auto', Verifier>;
    beforeAll(async () => {
      env = await createAttackEnvironment();
      verifiers = {
        sync: createVerifier({ ...env.options, signatureVerification: 'sync' }),
        async: createVerifier({ ...env.options, signatureVerification: 'async' }),
        auto: createVerifier({ ...env.options, cache: false }),
      };
      await Promise.all(Object.values(verifiers).map((verifier) => verifier.ready()));
    });
    afterAll(() => env.close());

    const answer = async (verifier: Verifier, token: string) => {
      try {
        await verifier.authenticate({ headers: { authorization: `Bearer ${token}` } });
        return { status: 200, code: null };
      } catch (error) {
        return isAuthError(error)
          ? { status: error.status, code: error.code }
          : { unexpected: String(error) };
      }
    };

    it.each(attackCases)('$id: the same answer on the event loop and on the thread pool', async (attack) => {
      const token = attack.token(env);
      expect(await answer(verifiers.async, token)).toEqual(attack.expect);
      expect(await answer(verifiers.sync, token)).toEqual(attack.expect);
    });

    it('every case at once, through a verifier that offloads because they overlap', async () => {
      const tokens = attackCases.map((attack) => attack.token(env));
      const answers = await Promise.all(tokens.map((token) => answer(verifiers.auto, token)));
      expect(answers).toEqual(attackCases.map((attack) => attack.expect));
    });
  });
});

describe('the switch between the event loop and the thread pool', () => {
  let env: AttackEnvironment;
  beforeAll(async () => {
    env = await createAttackEnvironment();
  });
  afterAll(() => env.close());

  /** True when the event loop turned (a setImmediate ran) before the last verification ended. */
  async function loopTurned(verifier: Verifier, tokens: readonly string[], concurrent: boolean) {
    await verifier.ready();
    let turned = false;
    const immediate = setImmediate(() => {
      turned = true;
    });
    let turnedBeforeEnd = false;
    if (concurrent) await Promise.all(tokens.map((token) => verifier.verify(token)));
    else for (const token of tokens) await verifier.verify(token);
    turnedBeforeEnd = turned;
    clearImmediate(immediate);
    return turnedBeforeEnd;
  }

  const distinct = (count: number) => Array.from({ length: count }, () => env.valid());

  it('stays on the event loop for one verification at a time (auto, the default)', async () => {
    const verifier = createVerifier({ ...env.options, cache: false });
    expect(await loopTurned(verifier, distinct(8), false)).toBe(false);
  });

  it('moves to the thread pool when fresh verifications overlap (auto, the default)', async () => {
    const verifier = createVerifier({ ...env.options, cache: false });
    expect(await loopTurned(verifier, distinct(16), true)).toBe(true);
  });

  it("never leaves the event loop with 'sync'", async () => {
    const verifier = createVerifier({ ...env.options, cache: false, signatureVerification: 'sync' });
    expect(await loopTurned(verifier, distinct(16), true)).toBe(false);
  });

  it("uses the thread pool for every fresh token with 'async'", async () => {
    const verifier = createVerifier({ ...env.options, cache: false, signatureVerification: 'async' });
    expect(await loopTurned(verifier, distinct(1), false)).toBe(true);
  });

  /** Keeps the event loop busy, without a pause, for `ms` milliseconds. */
  function busyFor(ms: number): void {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // a request handler that does not yield
    }
  }

  it('moves to the thread pool while the event loop is busy, even one verification at a time (auto)', async () => {
    const verifier = createVerifier({ ...env.options, cache: false });
    await verifier.verify(env.valid()); // the first sample of the loop
    busyFor(150);
    expect(await loopTurned(verifier, distinct(4), false)).toBe(true);
    expect(verifier.health().signatures).toMatchObject({ eventLoop: 1, threadPool: 4, inFlight: 0 });
  });

  it('comes back to the event loop once the loop has idle time again (auto)', async () => {
    const verifier = createVerifier({ ...env.options, cache: false });
    await verifier.verify(env.valid());
    busyFor(150);
    await verifier.verify(env.valid()); // sampled busy: on the thread pool
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await loopTurned(verifier, distinct(3), false)).toBe(false);
    expect(verifier.health().signatures).toMatchObject({ eventLoop: 4, threadPool: 1 });
  });

  it('ignores how busy the loop is with offloadWhenLoopBusy: false', async () => {
    const verifier = createVerifier({
      ...env.options,
      cache: false,
      signatureVerification: { offloadWhenLoopBusy: false },
    });
    await verifier.verify(env.valid());
    busyFor(150);
    expect(await loopTurned(verifier, distinct(4), false)).toBe(false);
    expect(verifier.health().signatures).toMatchObject({ eventLoop: 5, threadPool: 0 });
  });

  it('counts only fresh verifications in flight, and ends at zero', async () => {
    const scheduler = new SignatureScheduler(2);
    expect(scheduler.place('ES256')).toBe(false);
    scheduler.started();
    expect(scheduler.place('ES256')).toBe(false);
    scheduler.started();
    expect([scheduler.inFlight, scheduler.place('ES256')]).toEqual([2, true]);
    scheduler.finished();
    scheduler.finished();
    expect([scheduler.inFlight, scheduler.place('ES256')]).toEqual([0, false]);
    expect(scheduler.checked).toEqual({ eventLoop: 3, threadPool: 1 });
  });

  it('stops offloading for a busy loop for a second when doing so brought no overlap', () => {
    // A loop that is always fully busy, and a clock the test moves.
    let now = 0;
    const meter: LoopMeter = {
      now: () => now,
      sample: () => ({ idle: 0, active: now, utilization: 1 }),
      busyBetween: () => 1,
    };
    const scheduler = new SignatureScheduler(2, 0.7, meter);
    const oneAtATime = () => {
      scheduler.started();
      const offloaded = scheduler.place('ES256');
      scheduler.finished();
      return offloaded;
    };
    expect(oneAtATime()).toBe(false); // the first sample: nothing to compare with yet
    now = 100;
    expect(oneAtATime()).toBe(true); // busy: offloaded, on trial
    expect(oneAtATime()).toBe(true);
    now = 200;
    // The trial window saw one verification at a time: the hop gained nothing.
    expect(oneAtATime()).toBe(false);
    now = 1100;
    expect(oneAtATime()).toBe(false);
    now = 1200;
    expect(oneAtATime()).toBe(true); // the pause is over: on trial again
    // This time the verifications overlap (a server whose requests wait on the pool): no pause.
    scheduler.started();
    scheduler.started();
    now = 1300;
    expect(scheduler.place('ES256')).toBe(true);
    scheduler.finished();
    scheduler.finished();
    now = 1400;
    expect(oneAtATime()).toBe(true);
  });

  it('never offloads by default with one core, and honours an explicit choice there', () => {
    const oneCore = compileSignatureVerification(undefined, 1);
    oneCore.started();
    oneCore.started();
    expect([oneCore.place('ES256'), oneCore.loopBusy]).toEqual([false, false]);
    const twoCores = compileSignatureVerification(undefined, 2);
    expect([twoCores.offloadWhenInFlight, twoCores.offloadWhenLoopBusy]).toEqual([2, 0.7]);
    expect(compileSignatureVerification('async', 1).place('ES256')).toBe(true);
  });

  it('keeps HMAC on the event loop whatever the switch says', () => {
    const always = new SignatureScheduler(0);
    expect(['HS256', 'HS384', 'HS512', 'RS256', 'EdDSA'].map((alg) => always.place(alg))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(always.checked).toEqual({ eventLoop: 3, threadPool: 2 });
  });

  it.each<[unknown, RegExp]>([
    [
      'fast',
      /^signatureVerification: expected 'sync', 'async' or \{ offloadWhenInFlight: 2, offloadWhenLoopBusy: 0\.7 \}/,
    ],
    [{ offloadWhenInFlight: 0 }, /^signatureVerification\.offloadWhenInFlight: expected a whole number/],
    [{ offloadWhenInFlight: 1.5 }, /^signatureVerification\.offloadWhenInFlight: expected a whole number/],
    [
      { offloadWhenLoopBusy: 0 },
      /^signatureVerification\.offloadWhenLoopBusy: expected a share of time above 0/,
    ],
    [{ offloadWhenLoopBusy: 1.5 }, /^signatureVerification\.offloadWhenLoopBusy: expected a share of time/],
    [{ offloadWhenLoopBusy: true }, /^signatureVerification\.offloadWhenLoopBusy: expected a share of time/],
    [{ offloadWhenLoopBusy: '0.5' }, /^signatureVerification\.offloadWhenLoopBusy: expected a share of time/],
    [
      { offloadWhenInflight: 2 },
      /^signatureVerification\.offloadWhenInflight: unknown option \(did you mean offloadWhenInFlight\?\)/,
    ],
    [
      { offloadWhenLoopbusy: 0.5 },
      /^signatureVerification\.offloadWhenLoopbusy: unknown option \(did you mean offloadWhenLoopBusy\?\)/,
    ],
  ])('refuses signatureVerification %j at construction', (value, message) => {
    expect(() => createVerifier({ ...env.options, signatureVerification: value as never })).toThrow(message);
    expect(() => createVerifier({ ...env.options, signatureVerification: value as never })).toThrow(
      AuthConfigError,
    );
  });
});
