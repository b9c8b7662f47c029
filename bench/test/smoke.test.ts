/**
 * Keeps the benchmark harness from rotting: one tiny round of every contender against real
 * servers, the microbenchmarks and the memory flood, from the built harness (`dist/`). Nothing
 * here asserts speed or a number of samples (a 0.3 s run on a busy machine may get no response
 * at all, and the report says so): only that no request was answered wrongly and that the
 * results and the report have their structure. `report.test.ts` covers runs without samples.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVerifier } from '@org/auth-core';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contenders } from '../src/main.js';
import { type MeasuredField, type Results, renderMarkdown } from '../src/report.js';
import { ALGORITHMS, ANCHORS, AUDIENCE, FRAMEWORKS, ISSUER, MICRO_CASES } from '../src/shared.js';
import { generateSigningKey, publicKeyFile, serviceClaims, signJws } from '../src/tokens.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'bench-smoke-test-'));
let results: Results;
let markdown: string;
let log = '';

beforeAll(async () => {
  const code = await new Promise<number>((resolve) => {
    const child = execFile(
      process.execPath,
      [main, '--smoke', '--out', out, '--markdown', join(out, 'benchmarks.md')],
      { timeout: 110_000, maxBuffer: 10 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        log = stderr;
        resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0);
      },
    );
    child.stdin?.end();
  });
  if (code !== 0) throw new Error(`bench --smoke exited with ${code}:\n${log}`);
  results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Results;
  markdown = readFileSync(join(out, 'benchmarks.md'), 'utf8');
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench --smoke', () => {
  it('ran every contender, and no request was answered other than 200 (gRPC: OK)', () => {
    const expected = contenders(results.config.frameworks, results.config.algs);
    const unsupported = results.http.unsupported;
    expect(results.http.runs.length + unsupported.length).toBe(expected.length * results.config.rounds);
    for (const run of results.http.runs) {
      const where = `${run.framework} ${run.impl} ${run.alg} ${run.mode}`;
      expect(run.non2xx, where).toBe(0);
      expect(run.errors, where).toBe(0);
      for (const code of Object.keys(run.statusCodes))
        expect(code, where).toBe(run.framework === 'grpc' ? 'OK' : '200');
      // Each number is measured, or null with the reason in `missing`: never NaN, never unexplained.
      for (const field of ['p50', 'p99', 'cpuPerRequest'] as const satisfies readonly MeasuredField[]) {
        const value = run[field];
        if (value === null) expect(run.missing?.[field], `${where} ${field}`).toMatch(/^no /);
        else expect(Number.isFinite(value) && value >= 0, `${where} ${field}`).toBe(true);
      }
      if (run.missing === null) expect(run.ok, where).toBeGreaterThan(0);
    }
    // gRPC: the bare server and ours, reused and fresh tokens (the load generator's numbers have
    // the same structure as autocannon's).
    expect(
      new Set(results.http.runs.filter((r) => r.framework === 'grpc').map((r) => `${r.impl} ${r.mode}`)),
    ).toEqual(new Set(['bare reused', 'bare fresh', 'ours reused', 'ours fresh']));
    // Only anchors may be reported as not supporting an algorithm.
    for (const u of unsupported) expect(ANCHORS[u.framework]).toContain(u.impl);
  });

  it('measured every microbenchmark case and both memory floods', () => {
    for (const alg of results.config.microAlgs) {
      for (const name of MICRO_CASES) {
        const samples = results.micro.filter((s) => s.alg === alg && s.case === name);
        expect(samples.length, `${alg} ${name}`).toBe(results.config.microRounds);
        for (const s of samples) {
          // null: no operation completed in the time given, which a busy machine may cause.
          if (s.opsPerSecond === null) expect(s.ops, `${alg} ${name}`).toBe(0);
          else expect(s.opsPerSecond, `${alg} ${name}`).toBeGreaterThan(0);
        }
      }
    }
    expect(results.memory?.phases.map((p) => p.phase)).toEqual(['garbage', 'valid']);
    for (const phase of results.memory?.phases ?? []) {
      expect(phase.accepted + phase.rejected, phase.phase).toBe(phase.tokens);
      expect(phase.retained.at(-1)?.tokens, phase.phase).toBe(phase.tokens);
      expect(phase.peak, phase.phase).toBeGreaterThanOrEqual(phase.baseline);
    }
    const [garbage, valid] = results.memory?.phases ?? [];
    expect(garbage?.accepted).toBe(0);
    expect(valid?.rejected).toBe(0);
  });

  it('renders the report from the raw results', () => {
    expect(renderMarkdown(results)).toBe(markdown);
    for (const heading of [
      '## Machine',
      '## Targets',
      '### Express',
      '### Fastify',
      '### Koa',
      '### gRPC',
      '## Memory',
    ]) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain(results.machine.node);
    expect(markdown).not.toMatch(/NaN|null|undefined/);
    // Runs without samples are listed; runs with all their samples are not.
    const incomplete = results.http.runs.filter((r) => r.missing !== null).length;
    if (incomplete > 0)
      expect(markdown).toContain(`**${incomplete} of ${results.http.runs.length} runs lack samples**`);
    else expect(markdown).not.toContain('lack samples');
  });
});

describe('harness', () => {
  it('lists every contender for every framework and algorithm', () => {
    const list = contenders(FRAMEWORKS, ALGORITHMS);
    for (const framework of FRAMEWORKS) {
      const impls = new Set(list.filter((c) => c.framework === framework).map((c) => c.impl));
      // gRPC: the bare server and ours only (no alternative to compare with).
      if (framework === 'grpc') expect(impls).toEqual(new Set(['bare', 'ours']));
      else
        for (const impl of ['bare', 'ours', 'ours-nocache', 'jose', ...ANCHORS[framework]])
          expect(impls).toContain(impl);
      // The bare framework gets the same requests as the contenders: one run per algorithm and mode.
      const bare = list.filter((c) => c.framework === framework && c.impl === 'bare');
      expect(bare.map((c) => `${c.alg} ${c.mode}`).sort()).toEqual(
        ALGORITHMS.flatMap((alg) => [`${alg} fresh`, `${alg} reused`]).sort(),
      );
    }
  });

  it("cycles a pool larger than the core's cache without a single hit", async () => {
    // The fresh-token runs rely on this: a pool larger than the cache, cycled in order, never hits.
    const key = generateSigningKey('ES256');
    const jwk = publicKeyFile(key).jwk as JWK;
    let hits = 0;
    let misses = 0;
    const verifier = createVerifier({
      issuers: [{ issuer: ISSUER, jwks: { keys: [jwk] } }],
      audience: AUDIENCE,
      cache: { maxEntries: 50 },
      onEvent: (event) => {
        if (event.type === 'accepted') {
          if (event.cached) hits++;
          else misses++;
        }
      },
    });
    const pool = Array.from({ length: 60 }, () => signJws(key, serviceClaims(600)));
    for (let i = 0; i < pool.length * 3; i++) await verifier.verify(pool[i % pool.length]!);
    expect(hits).toBe(0);
    expect(misses).toBe(pool.length * 3);
    await verifier.verify(pool[0]!);
    await verifier.verify(pool[0]!);
    expect(hits).toBe(1); // the check itself works
  });
});
