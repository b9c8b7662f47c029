/**
 * Memory under a flood of distinct tokens, in a child process started with `--expose-gc`: one
 * verifier (an asymmetric issuer with a static JWKS, and an HS256 issuer so that a million valid
 * tokens can be minted quickly) receives up to `count` distinct tokens per phase, bounded in time.
 * `garbage`: tokens that fail (malformed, unknown `kid`, bad signature, unknown issuer).
 * `valid`: valid tokens that all differ (distinct `jti`), each one a cache insertion.
 * The heap is sampled as it goes (peak) and measured after a full GC at checkpoints (retained).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createVerifier } from '@org/auth-core';
import type { JWK } from 'jose';
import {
  AUDIENCE,
  base64url,
  CALLER,
  errorMessage,
  type Fixtures,
  HMAC_ISSUER,
  ISSUER,
  isMain,
} from './shared.js';

export interface MemoryConfig {
  readonly fixturesFile: string;
  readonly count: number;
  readonly secondsPerPhase: number;
  readonly cacheMaxEntries: number;
}

export interface MemoryPhase {
  readonly phase: 'garbage' | 'valid';
  readonly tokens: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly seconds: number;
  readonly timedOut: boolean;
  /** heapUsed after a full GC before the phase, in bytes. */
  readonly baseline: number;
  /** Largest heapUsed sampled during the phase. */
  readonly peak: number;
  readonly peakRss: number;
  /** heapUsed after a full GC at 10 %, 25 %, 50 %, 75 % and 100 % of the tokens sent. */
  readonly retained: readonly { readonly tokens: number; readonly heapUsed: number }[];
}

export interface MemoryResult {
  readonly cacheMaxEntries: number;
  readonly count: number;
  readonly phases: readonly MemoryPhase[];
}

const gc = (globalThis as { gc?: () => void }).gc;
function collect(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const WRONG_MAC = randomBytes(32);

function hs256(secret: string, header: object, payload: object, valid: boolean): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const mac = valid ? createHmac('sha256', secret).update(input).digest() : WRONG_MAC;
  return `${input}.${base64url(mac)}`;
}

async function main(config: MemoryConfig): Promise<MemoryResult> {
  if (!gc) throw new Error('start with --expose-gc');
  const fixtures = JSON.parse(readFileSync(config.fixturesFile, 'utf8')) as Fixtures;
  const secret = fixtures.hmacSecret;
  const key = fixtures.keys.ES256;
  const verifier = createVerifier({
    issuers: [
      { issuer: ISSUER, jwks: { keys: [key.jwk as JWK] } },
      { issuer: HMAC_ISSUER, secret, algorithms: ['HS256'] },
    ],
    audience: AUDIENCE,
    cache: { maxEntries: config.cacheMaxEntries },
  });
  const now = Math.floor(Date.now() / 1000);
  // Distinct by construction (the counter), and cheap to make: no randomness per token.
  const claims = (iss: string, i: number) => ({
    iss,
    sub: CALLER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    jti: `flood-${i.toString(36)}`,
    source: 'microservice',
  });
  const garbage = (i: number): string => {
    switch (i % 4) {
      case 0: // not JSON inside
        return `${base64url(`garbage ${i}`)}.${base64url(`{"n":${i}`)}.${base64url(`signature ${i}`)}`;
      case 1: // a kid nobody published
        return hs256(secret, { alg: 'ES256', kid: `unknown-${i}` }, claims(ISSUER, i), false);
      case 2: // a bad signature from a known issuer
        return hs256(secret, { alg: 'HS256' }, claims(HMAC_ISSUER, i), false);
      default: // an issuer nobody trusts
        return hs256(secret, { alg: 'HS256' }, claims(`https://issuer-${i}.example`, i), false);
    }
  };
  const valid = (i: number): string => hs256(secret, { alg: 'HS256' }, claims(HMAC_ISSUER, i), true);

  const phases: MemoryPhase[] = [];
  for (const [phase, make] of [
    ['garbage', garbage],
    ['valid', valid],
  ] as const) {
    const baseline = collect();
    const checkpoints = [0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round((config.count * f) / 1000) * 1000);
    const retained: { tokens: number; heapUsed: number }[] = [];
    let peak = baseline;
    let peakRss = process.memoryUsage().rss;
    let accepted = 0;
    let rejected = 0;
    let timedOut = false;
    const start = performance.now();
    const deadline = start + config.secondsPerPhase * 1000;
    let i = 0;
    for (; i < config.count; ) {
      try {
        await verifier.verify(make(i));
        accepted++;
      } catch {
        rejected++;
      }
      i++;
      if (i % 1000 === 0) {
        const usage = process.memoryUsage();
        if (usage.heapUsed > peak) peak = usage.heapUsed;
        if (usage.rss > peakRss) peakRss = usage.rss;
        if (checkpoints.includes(i)) retained.push({ tokens: i, heapUsed: collect() });
        if (performance.now() > deadline) {
          timedOut = i < config.count;
          break;
        }
      }
    }
    const seconds = (performance.now() - start) / 1000;
    if (retained.at(-1)?.tokens !== i) retained.push({ tokens: i, heapUsed: collect() });
    phases.push({
      phase,
      tokens: i,
      accepted,
      rejected,
      seconds,
      timedOut,
      baseline,
      peak,
      peakRss,
      retained,
    });
  }
  return { cacheMaxEntries: config.cacheMaxEntries, count: config.count, phases };
}

if (isMain(import.meta.url)) {
  process.on('disconnect', () => process.exit(0));
  main(JSON.parse(process.argv[2] ?? '{}') as MemoryConfig).then(
    (memory) => process.send?.({ type: 'memory', memory }),
    (error: unknown) => process.send?.({ type: 'error', error: errorMessage(error) }),
  );
}
