/**
 * The report with missing samples, fed directly (no servers, no load): a smoke run on a busy
 * machine can end a run before its first response, and the report must say so instead of
 * printing NaN or crashing.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryResult } from '../src/memory.js';
import type { MicroSample } from '../src/micro.js';
import {
  type HttpRun,
  median,
  microVsCrypto,
  missingNumbers,
  NO_REQUESTS,
  NO_RESPONSES,
  type Results,
  renderMarkdown,
  row,
  runSummary,
  runsWithoutSamples,
  spread,
  targets,
} from '../src/report.js';
import { ANCHORS, type Implementation, type LoadMode, MICRO_CASES, type MicroCase } from '../src/shared.js';

/** A run that got answers: every number measured. */
function measuredRun(impl: Implementation, mode: LoadMode, overrides: Partial<HttpRun> = {}): HttpRun {
  const run = {
    framework: 'express' as const,
    impl,
    alg: 'ES256' as const,
    mode,
    round: 0,
    rps: 1000,
    p50: 1.5,
    p99: 4.25,
    cpuPerRequest: 80,
    served: 300,
    ok: 300,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: { '200': 300 },
    durationSeconds: 0.3,
    ...overrides,
  };
  return { ...run, missing: missingNumbers(run) };
}

/** A run that ended before its first response: no latency, and (here) no request served either. */
function emptyRun(impl: Implementation, mode: LoadMode): HttpRun {
  return measuredRun(impl, mode, {
    rps: 0,
    p50: null,
    p99: null,
    cpuPerRequest: null,
    served: 0,
    ok: 0,
    statusCodes: {},
  });
}

const EVERY_CONTENDER: readonly [Implementation, LoadMode][] = [
  ['bare', 'reused'],
  ['bare', 'fresh'],
  ['ours', 'reused'],
  ['ours-nocache', 'reused'],
  ['ours', 'fresh'],
  ['jose', 'fresh'],
  ...ANCHORS.express.map((impl): [Implementation, LoadMode] => [impl, 'fresh']),
];

function results(
  runs: readonly HttpRun[],
  micro: readonly MicroSample[] = [],
  memory: MemoryResult | null = null,
): Results {
  return {
    command: 'pnpm bench --smoke',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
    machine: {
      cpu: 'test CPU',
      cores: 2,
      memoryGiB: 4,
      os: 'Linux test',
      node: 'v22.12.0',
      loadAverageStart: [2, 2, 2],
      loadAverageEnd: [2, 2, 2],
    },
    config: {
      smoke: true,
      frameworks: ['express'],
      algs: ['ES256'],
      microAlgs: ['ES256'],
      rounds: 1,
      durationSeconds: 0.3,
      warmupSeconds: 0.1,
      connections: 10,
      poolSize: 240,
      cacheMaxEntries: 200,
      microRounds: 1,
      microMillis: 50,
      floodCount: 20_000,
      floodSeconds: 1.5,
    },
    versions: { express: '5.1.0' },
    http: { runs, unsupported: [] },
    micro,
    memory,
  };
}

/** What must never reach the Markdown: a number that was not there. */
const GARBAGE = /NaN|null|undefined|Infinity/;

describe('statistics of empty samples', () => {
  it('has no median and no spread, rather than NaN', () => {
    expect(median([])).toBeNull();
    expect(median([null, Number.NaN])).toBeNull();
    expect(spread([])).toEqual({ median: null, min: null, max: null, n: 0 });
    expect(spread([null])).toEqual({ median: null, min: null, max: null, n: 0 });
  });

  it('ignores missing samples among measured ones', () => {
    expect(median([3, null, 1, Number.NaN, 2])).toBe(2);
    expect(median([4, null, 1])).toBe(2.5);
    expect(spread([null, 5, 1])).toEqual({ median: 3, min: 1, max: 5, n: 2 });
  });
});

describe('a run without samples', () => {
  it('records why each missing number is missing', () => {
    expect(missingNumbers(emptyRun('ours', 'reused'))).toEqual({
      p50: NO_RESPONSES,
      p99: NO_RESPONSES,
      cpuPerRequest: NO_REQUESTS,
    });
    expect(missingNumbers(measuredRun('ours', 'reused', { cpuPerRequest: null }))).toEqual({
      cpuPerRequest: NO_REQUESTS,
    });
    expect(missingNumbers(measuredRun('ours', 'reused'))).toBeNull();
  });

  it('is logged with n/a and the reason', () => {
    const line = runSummary(emptyRun('ours', 'reused'));
    expect(line).toBe(
      '0 req/s, p50 n/a (no successful responses), p99 n/a (no successful responses), n/a (no request served) CPU/req',
    );
    expect(runSummary(measuredRun('ours', 'reused'))).toBe(
      '1,000 req/s, p50 1.50 ms, p99 4.25 ms, 80.0 µs CPU/req',
    );
  });

  it('is written to JSON with explicit nulls and the reasons', () => {
    const json = JSON.parse(JSON.stringify(emptyRun('ours', 'reused'))) as Record<string, unknown>;
    expect(json).toMatchObject({
      p50: null,
      p99: null,
      cpuPerRequest: null,
      missing: { p50: NO_RESPONSES, p99: NO_RESPONSES, cpuPerRequest: NO_REQUESTS },
    });
    expect(JSON.parse(JSON.stringify(measuredRun('ours', 'reused')))).toHaveProperty('missing', null);
  });

  it('leaves its row without latency and CPU, and its targets not applicable', () => {
    const only = results([measuredRun('bare', 'reused'), emptyRun('ours', 'reused')]);
    const r = row(only, { framework: 'express', impl: 'ours', alg: 'ES256', mode: 'reused' });
    expect(r).toMatchObject({ p50: null, p99: null, cpu: null, p99VsBare: null, cpuVsBare: null });
    expect(r?.vsBare.median).toBe(0); // 0 req/s against the bare framework's 1000 is measured
    const checks = targets(only).filter((c) => c.target.startsWith('reused token'));
    expect(checks.map((c) => [c.target, c.measured, c.pass])).toEqual([
      ['reused token: req/s × bare', '0.00', false],
      ['reused token: p99 × bare p99', 'n/a (no successful responses)', null],
      ['reused token: server CPU added per request', 'n/a (no request served)', null],
    ]);
  });

  it('has no ratio against a bare run without samples', () => {
    const only = results([emptyRun('bare', 'reused'), measuredRun('ours', 'reused')]);
    const r = row(only, { framework: 'express', impl: 'ours', alg: 'ES256', mode: 'reused' });
    expect(r?.vsBare).toEqual({ median: null, min: null, max: null, n: 0 });
    expect(targets(only).find((c) => c.target === 'reused token: req/s × bare')).toMatchObject({
      measured: 'n/a (no successful responses)',
      pass: null,
    });
  });
});

describe('renderMarkdown with missing samples', () => {
  it('renders a run without samples as n/a and lists it', () => {
    const runs = EVERY_CONTENDER.map(([impl, mode]) =>
      impl === 'ours' && mode === 'reused' ? emptyRun(impl, mode) : measuredRun(impl, mode),
    );
    const markdown = renderMarkdown(results(runs));
    expect(markdown).not.toMatch(GARBAGE);
    expect(markdown).toContain(`**1 of ${runs.length} runs lack samples**`);
    expect(markdown).toContain(
      '- Express, ours (cache on), ES256, reused token, round 1: no successful responses, no request served',
    );
    const oursReused = markdown.split('\n').find((l) => l.startsWith('| ES256 | ours (cache on) '));
    expect(oursReused).toContain('n/a (no successful responses)');
    expect(oursReused).toContain('n/a (no request served)');
  });

  it('renders when no run, no microbenchmark and no memory checkpoint has a sample', () => {
    const micro = MICRO_CASES.map(
      (name): MicroSample => ({ alg: 'ES256', case: name, round: 0, ops: 0, opsPerSecond: null }),
    );
    const memory: MemoryResult = {
      cacheMaxEntries: 200,
      count: 20_000,
      phases: (['garbage', 'valid'] as const).map((phase) => ({
        phase,
        tokens: 1000,
        accepted: phase === 'valid' ? 1000 : 0,
        rejected: phase === 'valid' ? 0 : 1000,
        seconds: 1.5,
        timedOut: true,
        baseline: 8e6,
        peak: 9e6,
        peakRss: 6e7,
        retained: [{ tokens: 1000, heapUsed: 8.5e6 }],
      })),
    };
    const all = results(
      EVERY_CONTENDER.map(([impl, mode]) => emptyRun(impl, mode)),
      micro,
      memory,
    );
    const markdown = renderMarkdown(all);
    expect(markdown).not.toMatch(GARBAGE);
    expect(markdown).toContain(
      `**${EVERY_CONTENDER.length} of ${EVERY_CONTENDER.length} runs lack samples**`,
    );
    expect(markdown).toContain('| ES256 | crypto.verify ');
    expect(markdown).toContain('n/a (no operation completed)');
    expect(markdown).toContain('n/a (too few checkpoints)');
    // Nothing measured, so nothing failed: every target is not applicable, every figure n/a.
    expect(targets(all).filter((c) => typeof c.pass === 'boolean')).toEqual([]);
    expect(targets(all).filter((c) => c.pass === 'reported')).toEqual([
      expect.objectContaining({ where: 'ES256', measured: 'n/a (no operation completed)' }),
    ]);
    expect(runsWithoutSamples(all)).toHaveLength(EVERY_CONTENDER.length);
  });

  it('renders results read back from JSON, and older ones without `missing`', () => {
    const runs = EVERY_CONTENDER.map(([impl, mode], i) =>
      i % 2 ? emptyRun(impl, mode) : measuredRun(impl, mode),
    );
    const written = results(runs);
    const readBack = JSON.parse(JSON.stringify(written)) as Results;
    expect(renderMarkdown(readBack)).toBe(renderMarkdown(written));
    const older: Results = {
      ...readBack,
      http: { ...readBack.http, runs: readBack.http.runs.map(({ missing: _, ...run }) => run) },
    };
    expect(renderMarkdown(older)).toBe(renderMarkdown(written));
  });

  it('prints no sample section when every run has its samples', () => {
    const markdown = renderMarkdown(results(EVERY_CONTENDER.map(([impl, mode]) => measuredRun(impl, mode))));
    expect(markdown).not.toMatch(GARBAGE);
    expect(markdown).not.toContain('lack samples');
    expect(markdown).not.toContain('n/a (no successful responses)');
  });
});

describe('the targets', () => {
  /** One round of every Express contender, fresh ones at `fresh` req/s by implementation. */
  function measured(fresh: Partial<Record<Implementation, number>>, reused: Partial<HttpRun> = {}): Results {
    const runs = EVERY_CONTENDER.map(([impl, mode]) =>
      measuredRun(impl, mode, {
        ...(mode === 'fresh' ? { rps: fresh[impl] ?? 1000 } : {}),
        ...(impl === 'ours' && mode === 'reused' ? reused : {}),
      }),
    );
    const micro = (
      ['crypto.verify', 'core verify, cache: false', 'core verify, cache: false, 32 in flight'] as const
    ).map(
      (name, i): MicroSample => ({
        alg: 'ES256',
        case: name,
        round: 0,
        ops: 100,
        opsPerSecond: [10_000, 8_600, 14_000][i] as number,
      }),
    );
    return results(runs, micro);
  }
  const byName = (all: Results) =>
    Object.fromEntries(targets(all).map((c) => [c.target, [c.measured, c.pass]]));

  it('asks fresh tokens for 1.3× the best anchor and 1.1× plain jose', () => {
    const met = byName(
      measured({ ours: 1400, jose: 1250, 'express-jwt': 1070, 'express-oauth2-jwt-bearer': 900 }),
    );
    expect(met['fresh token: req/s × best anchor']).toEqual(['1.31 (× bare 1.40)', true]);
    expect(met['fresh token: req/s × plain jose']).toEqual(['1.12', true]);
    const missed = byName(measured({ ours: 1300, jose: 1200, 'express-jwt': 1070 }));
    expect(missed['fresh token: req/s × best anchor']).toEqual(['1.21 (× bare 1.30)', false]);
    expect(missed['fresh token: req/s × plain jose']).toEqual(['1.08', false]);
  });

  it('asks a reused token for 0.90× bare and at most 8 µs of CPU added', () => {
    const met = byName(measured({}, { rps: 900, cpuPerRequest: 88 }));
    expect(met['reused token: req/s × bare']).toEqual(['0.90', true]);
    expect(met['reused token: server CPU added per request']).toEqual(['8.0 µs', true]);
    const missed = byName(measured({}, { rps: 890, cpuPerRequest: 88.5 }));
    expect(missed['reused token: req/s × bare']).toEqual(['0.89', false]);
    expect(missed['reused token: server CPU added per request']).toEqual(['8.5 µs', false]);
  });

  it('divides each round of a microbenchmark by crypto.verify of the same round', () => {
    // The machine halves its speed in round 1 and doubles it in round 2: the ratios of medians
    // (6,000 / 10,000 = 0.60) would blame the core for what the machine did.
    const sample = (name: MicroCase, round: number, opsPerSecond: number | null): MicroSample => ({
      alg: 'ES256',
      case: name,
      round,
      ops: opsPerSecond === null ? 0 : 100,
      opsPerSecond,
    });
    const micro = [
      ...[10_000, 5_000, 20_000, null].map((ops, round) => sample('crypto.verify', round, ops)),
      ...[6_000, 4_500, 17_000, 9_000].map((ops, round) => sample('core verify, cache: false', round, ops)),
    ];
    const all = results(measured({}).http.runs, micro);
    // Round 3 has no crypto.verify figure, so it gives no ratio: 0.60, 0.90, 0.85 → 0.85.
    expect(microVsCrypto(all, 'ES256', 'core verify, cache: false')).toEqual({
      median: 0.85,
      min: 0.6,
      max: 0.9,
      n: 3,
    });
    expect(byName(all)['core verify (no cache, one at a time) × crypto.verify']).toEqual(['0.85', true]);
    expect(renderMarkdown(all)).toMatch(
      /\| ES256 \| core verify, cache: false +\| [^|]+\| [^|]+\| 0\.85 \(0\.60–0\.90\) +\|/,
    );
  });

  it('asks core verify for 0.85× crypto.verify on ES256, and reports 32 in flight', () => {
    const checks = byName(measured({}));
    expect(checks['core verify (no cache, one at a time) × crypto.verify']).toEqual(['0.86', true]);
    expect(checks['core verify (no cache, 32 in flight) × crypto.verify on one core']).toEqual([
      '1.40',
      'reported',
    ]);
    expect(renderMarkdown(measured({}))).toMatch(
      /\| core verify \(no cache, 32 in flight\) × crypto\.verify on one core +\| ES256 +\| 1\.40 +\| reported +\| — +\|/,
    );
  });
});
