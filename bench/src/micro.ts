/**
 * In-process microbenchmarks (no HTTP), run in a child process of their own: the core's
 * `verify()` against the physical limit (one `crypto.verify` of the same signature with the same
 * key, on the event loop, and its callback form on libuv's thread pool) and against jose's
 * `jwtVerify`, one call at a time and 32 in flight. Cases are interleaved over rounds; every loop
 * is bounded in time. The thread-pool cases scale with `UV_THREADPOOL_SIZE` (inherited from the
 * orchestrator's environment) up to the number of cores.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createVerifier } from '@org/auth-core';
import { importJWK, type JWK, jwtVerify } from 'jose';
import {
  type Alg,
  AUDIENCE,
  errorMessage,
  type Fixtures,
  ISSUER,
  isMain,
  MICRO_CASES,
  type MicroCase,
  type PublicKeyFile,
  type TokenFile,
} from './shared.js';

export interface MicroConfig {
  readonly fixturesFile: string;
  readonly algs: readonly Alg[];
  readonly rounds: number;
  readonly millisPerCase: number;
}

export interface MicroSample {
  readonly alg: Alg;
  readonly case: MicroCase;
  readonly round: number;
  /** `null` when no operation completed in the time given (a starved process). */
  readonly opsPerSecond: number | null;
  readonly ops: number;
}

type Op = () => unknown;

/** Runs `op` back to back for about `millis`; checks the clock every 16 calls. */
function measureSync(op: Op, millis: number): { ops: number; seconds: number } {
  const start = performance.now();
  const end = start + millis;
  let ops = 0;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 16; i++) op();
    ops += 16;
    now = performance.now();
  }
  return { ops, seconds: (now - start) / 1000 };
}

/** Awaits `op` back to back in `concurrency` loops for about `millis`. */
async function measureAsync(
  op: () => Promise<unknown>,
  millis: number,
  concurrency: number,
): Promise<{ ops: number; seconds: number }> {
  const start = performance.now();
  const end = start + millis;
  let ops = 0;
  const loop = async () => {
    while (performance.now() < end) {
      await op();
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { ops, seconds: (performance.now() - start) / 1000 };
}

async function casesFor(
  key: PublicKeyFile,
  token: string,
  pool: readonly string[],
): Promise<Record<MicroCase, (ms: number) => Promise<{ ops: number; seconds: number }>>> {
  const publicKey = createPublicKey({ key: key.jwk, format: 'jwk' });
  const dot = token.lastIndexOf('.');
  const data = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const hash = key.alg === 'EdDSA' ? null : 'sha256';
  const keyInput = key.alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  const raw: Op = () => cryptoVerify(hash, data, keyInput, signature);
  // The callback form: the same check on libuv's thread pool.
  const rawOnPool = () =>
    new Promise<boolean>((resolve, reject) =>
      cryptoVerify(hash, data, keyInput, signature, (error, valid) =>
        error ? reject(error) : resolve(valid),
      ),
    );
  if (!raw() || !(await rawOnPool())) throw new Error(`crypto.verify refused the ${key.alg} token`);

  const issuers = [{ issuer: ISSUER, jwks: { keys: [key.jwk as JWK] } }];
  const uncached = createVerifier({ issuers, audience: AUDIENCE, cache: false });
  const uncachedSync = createVerifier({
    issuers,
    audience: AUDIENCE,
    cache: false,
    signatureVerification: 'sync',
  });
  const cached = createVerifier({ issuers, audience: AUDIENCE });
  // Fresh tokens: the pool, cycled, is larger than this cache, so every call is a miss and an insertion.
  const missing = createVerifier({
    issuers,
    audience: AUDIENCE,
    cache: { maxEntries: Math.max(1, Math.floor(pool.length / 1.2)) },
  });
  // One cursor per case, so that a case never meets tokens another case has just put in a cache.
  const cursor = (offset: number) => {
    let next = offset;
    return () => pool[next++ % pool.length] ?? token;
  };
  const freshUncached = cursor(0);
  const freshUncachedConcurrent = cursor(0);
  const freshMissing = cursor(0);
  await uncached.verify(token);
  await uncachedSync.verify(token);
  await cached.verify(token);

  const joseKey = await importJWK(key.jwk as JWK, key.alg);
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [key.alg] };
  await jwtVerify(token, joseKey, joseOptions);

  return {
    'crypto.verify': async (ms) => measureSync(raw, ms),
    'crypto.verify on the thread pool, 32 in flight': (ms) => measureAsync(rawOnPool, ms, 32),
    'core verify, cache: false': (ms) => measureAsync(() => uncached.verify(token), ms, 1),
    'core verify, cache: false, 32 in flight': (ms) => measureAsync(() => uncached.verify(token), ms, 32),
    "core verify, cache: false, 32 in flight, signatureVerification: 'sync'": (ms) =>
      measureAsync(() => uncachedSync.verify(token), ms, 32),
    'core verify, cache hit': (ms) => measureAsync(() => cached.verify(token), ms, 1),
    'core verify, fresh tokens, cache: false': (ms) =>
      measureAsync(() => uncached.verify(freshUncached()), ms, 1),
    'core verify, fresh tokens, cache: false, 32 in flight': (ms) =>
      measureAsync(() => uncached.verify(freshUncachedConcurrent()), ms, 32),
    'core verify, fresh tokens, cache on (misses)': (ms) =>
      measureAsync(() => missing.verify(freshMissing()), ms, 1),
    'jose jwtVerify': (ms) => measureAsync(() => jwtVerify(token, joseKey, joseOptions), ms, 1),
    'jose jwtVerify, 32 in flight': (ms) =>
      measureAsync(() => jwtVerify(token, joseKey, joseOptions), ms, 32),
  };
}

async function main(config: MicroConfig): Promise<MicroSample[]> {
  const fixtures = JSON.parse(readFileSync(config.fixturesFile, 'utf8')) as Fixtures;
  const prepared = [];
  for (const alg of config.algs) {
    const tokens = JSON.parse(readFileSync(fixtures.tokenFiles[alg], 'utf8')) as TokenFile;
    const pool = tokens.pool.length > 0 ? tokens.pool : [tokens.reused];
    prepared.push({ alg, cases: await casesFor(fixtures.keys[alg], tokens.reused, pool) });
  }
  // Warm every case once (JIT), then interleave: round by round, alg by alg, case by case.
  for (const { cases } of prepared)
    for (const name of MICRO_CASES) await cases[name](Math.min(200, config.millisPerCase));
  const samples: MicroSample[] = [];
  for (let round = 0; round < config.rounds; round++) {
    for (const { alg, cases } of prepared) {
      const order = round % 2 === 0 ? MICRO_CASES : [...MICRO_CASES].reverse();
      for (const name of order) {
        const { ops, seconds } = await cases[name](config.millisPerCase);
        const opsPerSecond = ops > 0 && seconds > 0 ? ops / seconds : null;
        samples.push({ alg, case: name, round, ops, opsPerSecond });
      }
    }
  }
  return samples;
}

if (isMain(import.meta.url)) {
  process.on('disconnect', () => process.exit(0));
  main(JSON.parse(process.argv[2] ?? '{}') as MicroConfig).then(
    (samples) => process.send?.({ type: 'micro', samples }),
    (error: unknown) => process.send?.({ type: 'error', error: errorMessage(error) }),
  );
}
