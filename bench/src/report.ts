/** The raw results of a run, their aggregation (medians, ratios, targets) and the Markdown report. */
import type { MemoryResult } from './memory.js';
import type { MicroSample } from './micro.js';
import {
  type Alg,
  ANCHORS,
  type Framework,
  type Implementation,
  LABELS,
  type LoadMode,
  MICRO_CASES,
  type MicroCase,
} from './shared.js';

export interface HttpRun {
  readonly framework: Framework;
  readonly impl: Implementation;
  /** For the bare framework: the algorithm of the tokens it was sent and ignored. */
  readonly alg: Alg;
  readonly mode: LoadMode;
  readonly round: number;
  /** 2xx responses per second of the measured run: 0 when none arrived in time. */
  readonly rps: number;
  /** Median and 99th percentile of the 2xx response times, ms; `null` when there was none. */
  readonly p50: number | null;
  readonly p99: number | null;
  /** Server CPU time per request served in the measured run, µs; `null` when it served none. */
  readonly cpuPerRequest: number | null;
  readonly served: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly durationSeconds: number;
  /**
   * Why each `null` number of this run is missing, by field (see {@link missingNumbers}); `null`
   * when every number was measured. Absent from results written before it existed.
   */
  readonly missing?: Missing | null;
}

/** The numbers of an HTTP run that a run too short for its machine can leave unmeasured. */
export type MeasuredField = 'p50' | 'p99' | 'cpuPerRequest';
export type Missing = Readonly<Partial<Record<MeasuredField, string>>>;

/** Latencies are recorded for 2xx responses only. */
export const NO_RESPONSES = 'no successful responses';
export const NO_REQUESTS = 'no request served';
const NO_OPERATIONS = 'no operation completed';

const REASONS: Readonly<Record<MeasuredField, string>> = {
  p50: NO_RESPONSES,
  p99: NO_RESPONSES,
  cpuPerRequest: NO_REQUESTS,
};

/**
 * Why each missing number of a run is missing, or `null` when none is. A short run on a busy
 * machine can end before a single response arrives: that is a run without samples, not an error.
 */
export function missingNumbers(run: Pick<HttpRun, MeasuredField>): Missing | null {
  const missing: Partial<Record<MeasuredField, string>> = {};
  for (const field of Object.keys(REASONS) as MeasuredField[]) {
    if (!isNumber(run[field])) missing[field] = REASONS[field];
  }
  return Object.keys(missing).length > 0 ? missing : null;
}

export interface Unsupported {
  readonly framework: Framework;
  readonly impl: Implementation;
  readonly alg: Alg;
  readonly reason: string;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
  /** libuv's thread pool size of the servers and microbenchmarks; absent from older results. */
  readonly threadPool?: string;
}

export interface RunConfig {
  readonly smoke: boolean;
  readonly frameworks: readonly Framework[];
  readonly algs: readonly Alg[];
  readonly microAlgs: readonly Alg[];
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly poolSize: number;
  readonly cacheMaxEntries: number;
  readonly microRounds: number;
  readonly microMillis: number;
  readonly floodCount: number;
  readonly floodSeconds: number;
}

export interface Results {
  readonly command: string;
  /** Free text shown under the title (e.g. what else was running). */
  readonly note?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly config: RunConfig;
  readonly versions: Readonly<Record<string, string>>;
  readonly http: { readonly runs: readonly HttpRun[]; readonly unsupported: readonly Unsupported[] };
  readonly micro: readonly MicroSample[];
  readonly memory: MemoryResult | null;
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** Median, min and max of the samples; all three `null` when there is none (`n` is 0). */
export interface Spread {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly n: number;
}

/**
 * A measured number: finite. `null` is a missing measurement, and so is NaN, which older results
 * files hold as `null` anyway (JSON has no NaN).
 */
function isNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The median of the measured values, or `null` when none was measured. */
export function median(values: readonly (number | null)[]): number | null {
  const sorted = values.filter(isNumber).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly (number | null)[]): Spread {
  const measured = values.filter(isNumber);
  if (measured.length === 0) return { median: null, min: null, max: null, n: 0 };
  return {
    median: median(measured),
    min: Math.min(...measured),
    max: Math.max(...measured),
    n: measured.length,
  };
}

/** `a / b`, or `null` when either is missing or `b` is 0 (e.g. a run without samples). */
function quotient(a: number | null, b: number | null): number | null {
  return isNumber(a) && isNumber(b) && b !== 0 ? a / b : null;
}

function difference(a: number | null, b: number | null): number | null {
  return isNumber(a) && isNumber(b) ? a - b : null;
}

/** A target met, not met, or `null` when the number it needs is missing. */
function meets(value: number | null, test: (value: number) => boolean): boolean | null {
  return isNumber(value) ? test(value) : null;
}

interface Key {
  readonly framework: Framework;
  readonly impl: Implementation;
  readonly alg: Alg;
  readonly mode: LoadMode;
}

function runsOf(results: Results, key: Key): HttpRun[] {
  return results.http.runs.filter(
    (r) => r.framework === key.framework && r.impl === key.impl && r.alg === key.alg && r.mode === key.mode,
  );
}

/** Per-round comparison of `key` with `base` (same round), summarised over the rounds. */
function perRound(
  results: Results,
  key: Key,
  base: Key,
  f: (run: HttpRun, baseRun: HttpRun) => number | null,
): Spread {
  const baseRuns = runsOf(results, base);
  return spread(
    runsOf(results, key).flatMap((run) => {
      const baseRun = baseRuns.find((b) => b.round === run.round);
      return baseRun ? [f(run, baseRun)] : [];
    }),
  );
}

/** One contender summarised over its rounds; a number is `null` when no round measured it. */
export interface Row {
  readonly key: Key;
  readonly rps: Spread;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly cpu: number | null;
  readonly vsBare: Spread;
  readonly p99VsBare: number | null;
  readonly cpuVsBare: number | null;
  readonly vsAnchor: Spread | null;
  readonly anchor: Implementation | null;
}

/** The bare framework sent the same requests: same mode, same algorithm's tokens. */
function bareKey(framework: Framework, alg: Alg, mode: LoadMode): Key {
  return { framework, impl: 'bare', alg, mode };
}

/** The anchor with the highest median req/s for this framework and algorithm, with fresh tokens. */
export function bestAnchor(results: Results, framework: Framework, alg: Alg): Implementation | null {
  let best: Implementation | null = null;
  let bestRps = -1;
  for (const impl of ANCHORS[framework]) {
    const rps = median(runsOf(results, { framework, impl, alg, mode: 'fresh' }).map((r) => r.rps));
    if (rps !== null && rps > bestRps) {
      best = impl;
      bestRps = rps;
    }
  }
  return best;
}

export function row(results: Results, key: Key): Row | null {
  const runs = runsOf(results, key);
  if (runs.length === 0) return null;
  const bare = bareKey(key.framework, key.alg, key.mode);
  const anchor = key.mode === 'fresh' ? bestAnchor(results, key.framework, key.alg) : null;
  return {
    key,
    rps: spread(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpu: median(runs.map((r) => r.cpuPerRequest)),
    vsBare: perRound(results, key, bare, (r, b) => quotient(r.rps, b.rps)),
    p99VsBare: perRound(results, key, bare, (r, b) => quotient(r.p99, b.p99)).median,
    cpuVsBare: perRound(results, key, bare, (r, b) => difference(r.cpuPerRequest, b.cpuPerRequest)).median,
    vsAnchor: anchor
      ? perRound(
          results,
          key,
          { framework: key.framework, impl: anchor, alg: key.alg, mode: 'fresh' },
          (r, b) => quotient(r.rps, b.rps),
        )
      : null,
    anchor,
  };
}

export function microSpread(results: Results, alg: Alg, name: MicroCase): Spread {
  return spread(results.micro.filter((s) => s.alg === alg && s.case === name).map((s) => s.opsPerSecond));
}

/**
 * A case's ops/s over `crypto.verify`'s in the same round, one ratio per round: each case is
 * divided by the limit measured moments before or after it, so that a machine that slows down
 * or speeds up between rounds moves both sides of the ratio, not one.
 */
export function microVsCrypto(results: Results, alg: Alg, name: MicroCase): Spread {
  const limit = new Map<number, number | null>();
  for (const sample of results.micro) {
    if (sample.alg === alg && sample.case === 'crypto.verify') limit.set(sample.round, sample.opsPerSecond);
  }
  return spread(
    results.micro
      .filter((s) => s.alg === alg && s.case === name)
      .map((s) => quotient(s.opsPerSecond, limit.get(s.round) ?? null)),
  );
}

// ---------------------------------------------------------------------------------------------
// Targets

export interface TargetCheck {
  readonly target: string;
  readonly where: string;
  readonly measured: string;
  readonly goal: string;
  /**
   * `null`: not applicable (no anchor supports the algorithm, or a number it needs is missing);
   * `'reported'`: a figure the targets ask to report, with no goal.
   */
  readonly pass: boolean | null | 'reported';
}

/** Fresh tokens: at least this many times the best alternative's req/s (RS256, ES256). */
export const FRESH_VS_ANCHOR = 1.3;
/** Fresh tokens: at least this many times plain jose's req/s (every algorithm). */
export const FRESH_VS_JOSE = 1.1;
/** Reused token: at least this share of the bare framework's req/s. */
export const REUSED_VS_BARE = 0.9;
/** Reused token: at most this many µs of server CPU added per request. */
export const REUSED_CPU_ADDED = 8;
/** Core verify without cache, one call at a time, × `crypto.verify`: at least this much. */
export const CORE_VS_CRYPTO: Readonly<Record<Alg, number>> = { RS256: 0.65, ES256: 0.85, EdDSA: 0.85 };

/** The fresh-token targets of one framework and algorithm: against the best anchor and plain jose. */
function freshTargets(results: Results, framework: Framework, alg: Alg, where: string): TargetCheck[] {
  const fresh = row(results, { framework, impl: 'ours', alg, mode: 'fresh' });
  if (!fresh) return [];
  const checks: TargetCheck[] = [];
  const vsBare = `× bare ${ratio(fresh.vsBare.median, NO_RESPONSES)}`;
  if (!fresh.vsAnchor || !fresh.anchor) {
    const why = ANCHORS[framework].length === 0 ? `no anchor for ${framework}` : `no anchor supports ${alg}`;
    checks.push({
      target: 'fresh token: req/s × best anchor',
      where,
      measured: `n/a (${why}); ${vsBare}`,
      goal: `≥ ${FRESH_VS_ANCHOR.toFixed(2)}`,
      pass: null,
    });
  } else {
    checks.push({
      target: 'fresh token: req/s × best anchor',
      where: `${where} (vs ${LABELS[fresh.anchor]})`,
      measured: `${ratio(fresh.vsAnchor.median, NO_RESPONSES)} (${vsBare})`,
      goal: `≥ ${FRESH_VS_ANCHOR.toFixed(2)}`,
      pass: meets(fresh.vsAnchor.median, (v) => v >= FRESH_VS_ANCHOR),
    });
  }
  if (runsOf(results, { framework, impl: 'jose', alg, mode: 'fresh' }).length > 0) {
    const vsJose = perRound(
      results,
      { framework, impl: 'ours', alg, mode: 'fresh' },
      { framework, impl: 'jose', alg, mode: 'fresh' },
      (r, b) => quotient(r.rps, b.rps),
    ).median;
    checks.push({
      target: 'fresh token: req/s × plain jose',
      where,
      measured: ratio(vsJose, NO_RESPONSES),
      goal: `≥ ${FRESH_VS_JOSE.toFixed(2)}`,
      pass: meets(vsJose, (v) => v >= FRESH_VS_JOSE),
    });
  }
  return checks;
}

export function targets(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const { frameworks, algs } = results.config;
  for (const framework of frameworks) {
    for (const alg of algs) {
      const where = `${framework} ${alg}`;
      const reused = row(results, { framework, impl: 'ours', alg, mode: 'reused' });
      if (reused) {
        checks.push({
          target: 'reused token: req/s × bare',
          where,
          measured: ratio(reused.vsBare.median, NO_RESPONSES),
          goal: `≥ ${REUSED_VS_BARE.toFixed(2)}`,
          pass: meets(reused.vsBare.median, (v) => v >= REUSED_VS_BARE),
        });
        checks.push({
          target: 'reused token: p99 × bare p99',
          where,
          measured: ratio(reused.p99VsBare, NO_RESPONSES),
          goal: '≤ 1.20',
          pass: meets(reused.p99VsBare, (v) => v <= 1.2),
        });
        checks.push({
          target: 'reused token: server CPU added per request',
          where,
          measured: micros(reused.cpuVsBare, NO_REQUESTS, ' µs'),
          goal: `≤ ${REUSED_CPU_ADDED} µs`,
          pass: meets(reused.cpuVsBare, (v) => v <= REUSED_CPU_ADDED),
        });
      }
      checks.push(...freshTargets(results, framework, alg, where));
    }
  }
  for (const alg of results.config.microAlgs) {
    // Not run (--skip-micro): no line. Run without a completed operation: a line saying so.
    if (!results.micro.some((s) => s.alg === alg)) continue;
    const core = microVsCrypto(results, alg, 'core verify, cache: false').median;
    checks.push({
      target: 'core verify (no cache, one at a time) × crypto.verify',
      where: alg,
      measured: ratio(core, NO_OPERATIONS),
      goal: `≥ ${CORE_VS_CRYPTO[alg].toFixed(2)}`,
      pass: meets(core, (v) => v >= CORE_VS_CRYPTO[alg]),
    });
    const parallel = microVsCrypto(results, alg, 'core verify, cache: false, 32 in flight').median;
    checks.push({
      target: 'core verify (no cache, 32 in flight) × crypto.verify on one core',
      where: alg,
      measured: ratio(parallel, NO_OPERATIONS),
      goal: 'reported',
      pass: 'reported',
    });
  }
  const memory = results.memory;
  if (memory) {
    for (const phase of memory.phases) {
      const bounded = memoryBounded(phase.retained);
      checks.push({
        target: `memory: ${phase.tokens.toLocaleString('en-US')} distinct ${phase.phase} tokens`,
        where: `cache ${memory.cacheMaxEntries.toLocaleString('en-US')} entries`,
        measured: `peak heap ${mib(phase.peak)}, retained growth ${bounded.growth}`,
        goal: 'bounded',
        pass: bounded.pass,
      });
    }
  }
  return checks;
}

/**
 * Bounded: between the first checkpoint (a tenth of the flood: ten times as many tokens as the
 * cache holds, with the default sizes) and the end, the heap retained after a full GC grows by
 * less than 2 MiB.
 */
function memoryBounded(retained: readonly { tokens: number; heapUsed: number }[]): {
  pass: boolean | null;
  growth: string;
} {
  const first = retained[0];
  const last = retained.at(-1);
  // A flood cut short by its time limit can leave a single checkpoint: nothing to compare.
  if (!first || !last || first === last) return { pass: null, growth: 'n/a (too few checkpoints)' };
  const growth = last.heapUsed - first.heapUsed;
  return {
    pass: growth < 2 * 1024 * 1024,
    growth: `${mib(growth)} from ${first.tokens.toLocaleString('en-US')} to ${last.tokens.toLocaleString('en-US')} tokens`,
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown

// Every number a formatter receives may be missing: it then prints `n/a (<why>)`, never NaN or null.

function na(why?: string): string {
  return why ? `n/a (${why})` : 'n/a';
}

function ratio(value: number | null, why?: string): string {
  return isNumber(value) ? value.toFixed(2) : na(why);
}

function int(value: number | null, why?: string): string {
  return isNumber(value) ? Math.round(value).toLocaleString('en-US') : na(why);
}

function ms(value: number | null, why: string = NO_RESPONSES): string {
  return isNumber(value) ? value.toFixed(2) : na(why);
}

function micros(value: number | null, why: string = NO_REQUESTS, unit = ''): string {
  return isNumber(value) ? `${value.toFixed(1)}${unit}` : na(why);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function range(s: Spread, format: (v: number) => string, why?: string): string {
  const { median: mid, min, max } = s;
  if (mid === null || min === null || max === null) return na(why);
  return s.n > 1 ? `${format(mid)} (${format(min)}–${format(max)})` : format(mid);
}

/**
 * One line for the progress log: what a run measured, and what it could not.
 *
 * @example runSummary(run) // '0 req/s, p50 n/a (no successful responses), p99 n/a (…), 41.2 µs CPU/req'
 */
export function runSummary(run: HttpRun): string {
  return (
    `${int(run.rps)} req/s, p50 ${ms(run.p50)}${isNumber(run.p50) ? ' ms' : ''}, ` +
    `p99 ${ms(run.p99)}${isNumber(run.p99) ? ' ms' : ''}, ${micros(run.cpuPerRequest, NO_REQUESTS, ' µs')} CPU/req` +
    (run.non2xx || run.errors ? `, ${run.non2xx} non-2xx, ${run.errors} errors` : '')
  );
}

/** Runs that left a number unmeasured, with the reasons. */
export function runsWithoutSamples(results: Results): { run: HttpRun; missing: Missing }[] {
  return results.http.runs.flatMap((run) => {
    const missing = missingNumbers(run);
    return missing ? [{ run, missing }] : [];
  });
}

/**
 * A Markdown table with padded columns, as Biome formats Markdown (so `pnpm lint` passes on the
 * generated report). Every character used here is one column wide.
 */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const FRAMEWORK_TITLES: Readonly<Record<Framework, string>> = {
  express: 'Express',
  fastify: 'Fastify',
  koa: 'Koa',
  grpc: 'gRPC (@grpc/grpc-js, unary call)',
};

function frameworkSection(results: Results, framework: Framework): string {
  const { algs } = results.config;
  const unsupported = results.http.unsupported.filter((u) => u.framework === framework);
  const out: string[] = [`### ${FRAMEWORK_TITLES[framework]}`];

  const reusedImpls: Implementation[] = [
    'ours',
    'ours-nocache',
    ...(framework === 'fastify' ? (['fastify-jwt-cache'] as const) : []),
  ];
  const reusedRows: string[][] = [];
  for (const alg of algs) {
    const bareReused = row(results, bareKey(framework, alg, 'reused'));
    if (bareReused) {
      reusedRows.push([
        alg,
        `${LABELS.bare}, same requests`,
        range(bareReused.rps, int, NO_RESPONSES),
        '1',
        ms(bareReused.p50),
        ms(bareReused.p99),
        '1',
        micros(bareReused.cpu),
        '—',
      ]);
    }
    for (const impl of reusedImpls) {
      const r = row(results, { framework, impl, alg, mode: 'reused' });
      if (!r) continue;
      reusedRows.push([
        alg,
        LABELS[impl],
        range(r.rps, int, NO_RESPONSES),
        range(r.vsBare, ratio, NO_RESPONSES),
        ms(r.p50),
        ms(r.p99),
        ratio(r.p99VsBare, NO_RESPONSES),
        micros(r.cpu),
        micros(r.cpuVsBare),
      ]);
    }
  }
  out.push(
    '',
    '**Reused token** (every request carries the same valid token, as a caller that keeps its token for minutes):',
    '',
    table(
      [
        'alg',
        'contender',
        'req/s median (min–max)',
        '× bare median (min–max)',
        'p50 ms',
        'p99 ms',
        'p99 × bare',
        'server CPU µs/req',
        'CPU added vs bare µs/req',
      ],
      reusedRows,
    ),
  );

  const freshImpls: Implementation[] = ['ours', 'jose', ...ANCHORS[framework]];
  const freshRows: string[][] = [];
  for (const alg of algs) {
    const bareFresh = row(results, bareKey(framework, alg, 'fresh'));
    if (bareFresh) {
      freshRows.push([
        alg,
        `${LABELS.bare}, same requests`,
        range(bareFresh.rps, int, NO_RESPONSES),
        '1',
        '—',
        ms(bareFresh.p50),
        ms(bareFresh.p99),
        micros(bareFresh.cpu),
      ]);
    }
    for (const impl of freshImpls) {
      const u = unsupported.find((x) => x.impl === impl && x.alg === alg);
      if (u) {
        freshRows.push([alg, LABELS[impl], `n/a: ${u.reason.replaceAll('|', '\\|')}`, '', '', '', '', '']);
        continue;
      }
      const r = row(results, { framework, impl, alg, mode: 'fresh' });
      if (!r) continue;
      const anchorCell =
        r.vsAnchor && r.anchor
          ? `${range(r.vsAnchor, ratio, NO_RESPONSES)}${impl === r.anchor ? ' (best anchor)' : ''}`
          : 'n/a';
      freshRows.push([
        alg,
        LABELS[impl],
        range(r.rps, int, NO_RESPONSES),
        range(r.vsBare, ratio, NO_RESPONSES),
        anchorCell,
        ms(r.p50),
        ms(r.p99),
        micros(r.cpu),
      ]);
    }
  }
  out.push(
    '',
    `**Fresh token on every request** (a pool of ${results.config.poolSize.toLocaleString('en-US')} distinct tokens cycled in order: more than our ${results.config.cacheMaxEntries.toLocaleString('en-US')}-entry cache holds, and with its first-in-first-out eviction every token has left it before it comes round again, so no request can hit it):`,
    '',
    table(
      [
        'alg',
        'contender',
        'req/s median (min–max)',
        '× bare median (min–max)',
        '× best anchor median (min–max)',
        'p50 ms',
        'p99 ms',
        'server CPU µs/req',
      ],
      freshRows,
    ),
  );
  return out.join('\n');
}

/** Lists the runs that left numbers unmeasured, so that a reader knows why a cell reads n/a. */
function withoutSamplesSection(results: Results): string[] {
  const incomplete = runsWithoutSamples(results);
  if (incomplete.length === 0) return [];
  return [
    `**${incomplete.length} of ${results.http.runs.length} runs lack samples** in their measured ${results.config.durationSeconds} s, most likely because the machine was too busy for runs this short (a longer \`--duration\` gives every run samples). What they could not measure reads n/a below, with the reason; a run without a successful response counts as 0 req/s.`,
    '',
    ...incomplete.map(
      ({ run, missing }) =>
        `- ${FRAMEWORK_TITLES[run.framework]}, ${LABELS[run.impl]}, ${run.alg}, ${run.mode} token, round ${run.round + 1}: ${[...new Set(Object.values(missing))].join(', ')}`,
    ),
    '',
  ];
}

function microSection(results: Results): string {
  const rows: string[][] = [];
  for (const alg of results.config.microAlgs) {
    for (const name of MICRO_CASES) {
      if (!results.micro.some((m) => m.alg === alg && m.case === name)) continue; // not run
      const s = microSpread(results, alg, name);
      rows.push([
        alg,
        name,
        range(s, int, NO_OPERATIONS),
        ratio(quotient(1e6, s.median), NO_OPERATIONS),
        range(microVsCrypto(results, alg, name), (v) => v.toFixed(2), NO_OPERATIONS),
      ]);
    }
  }
  return table(
    ['alg', 'case', 'ops/s median (min–max)', 'µs/op', '× crypto.verify, same round: median (min–max)'],
    rows,
  );
}

function memorySection(results: Results): string {
  const memory = results.memory;
  if (!memory) return '_Not run._';
  const rows = memory.phases.map((p) => [
    p.phase,
    `${p.tokens.toLocaleString('en-US')}${p.timedOut ? ' (stopped by the time limit)' : ''}`,
    `${p.accepted.toLocaleString('en-US')} / ${p.rejected.toLocaleString('en-US')}`,
    `${p.seconds.toFixed(1)} s`,
    mib(p.baseline),
    mib(p.peak),
    p.retained.map((c) => `${c.tokens.toLocaleString('en-US')}: ${mib(c.heapUsed)}`).join(', '),
    mib(p.peakRss),
  ]);
  return table(
    [
      'tokens',
      'sent',
      'accepted / rejected',
      'time',
      'heap before',
      'peak heap',
      'heap retained after GC, by tokens sent',
      'peak RSS',
    ],
    rows,
  );
}

/** How the gRPC runs are made (in the Method section when they ran). */
function grpcMethod(connections: number): string {
  return `- gRPC: a @grpc/grpc-js server with one unary method (raw bytes, no protobuf codec), bare or wrapped by \`@org/auth-grpc\`'s \`protect()\` with the same options; the load generator is a @grpc/grpc-js client in its own process keeping ${connections} unary calls in flight on one channel (one HTTP/2 connection), each with a 5 s deadline. "req/s" counts OK answers; any other status fails the run, like a non-2xx.`;
}

export function renderMarkdown(results: Results): string {
  const { machine, config } = results;
  const checks = targets(results);
  const mark = (pass: TargetCheck['pass']) =>
    pass === 'reported' ? '—' : pass === null ? 'n/a' : pass ? 'pass' : '**FAIL**';
  const versions = Object.entries(results.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const sections = [
    '# Benchmarks',
    '',
    '<!-- Generated by `pnpm bench` (bench/src/main.ts) from bench/results/latest.json; do not edit by hand. -->',
    '',
    `Produced by \`${results.command}\` on ${results.startedAt.slice(0, 10)}${config.smoke ? ' (**smoke run**: far too short to mean anything)' : ''}.`,
    ...(results.note ? ['', `> ${results.note}`] : []),
    '',
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${machine.cpu}, ${machine.cores} cores`],
        ['memory', `${machine.memoryGiB.toFixed(1)} GiB`],
        ['OS', machine.os],
        ['Node.js', machine.node],
        ['libuv thread pool', machine.threadPool ?? 'not recorded'],
        [
          'load average at start / end',
          `${machine.loadAverageStart.map((l) => l.toFixed(2)).join(' ')} / ${machine.loadAverageEnd.map((l) => l.toFixed(2)).join(' ')}`,
        ],
        ['run', `${results.startedAt} → ${results.finishedAt}`],
        ['versions', versions],
      ],
    ),
    '',
    '## Method',
    '',
    `- Every HTTP run starts a new server process (\`fork\`), one contender per process, on 127.0.0.1; the load generator, autocannon, runs in another process (${config.connections} connections, no pipelining). Each run is a ${config.warmupSeconds} s warm-up, then ${config.durationSeconds} s measured.`,
    `- Contenders are interleaved: ${config.rounds} round(s), each running every contender once, in reverse order every other round (A B C … C B A …). Medians over the rounds, min–max in parentheses. Ratios are taken per round against the bare framework (or the best anchor) of the same round, then summarised.`,
    '- "bare" is the same framework and route with no authentication, receiving the very same requests: for each algorithm, its tokens (which it ignores), so that a ratio to bare measures what the middleware adds and not what a longer header costs the server and the load generator. The fresh-token tables compare with a bare run under the same fresh-token load generator, whose per-request work is higher.',
    `- Ours: \`@org/auth-express\`, \`@org/auth-fastify\`, \`@org/auth-koa\` from their built \`dist\`, with a static JWKS (\`jwks: { keys: [...] }\`), \`audience\`, and the cache on (\`maxEntries: ${config.cacheMaxEntries}\`) or off. Anchors verify the same tokens with \`aud\` and \`iss\` checks: express-oauth2-jwt-bearer with \`publicKey\` (the same JWKS), express-jwt and koa-jwt with a \`KeyObject\` (a PEM string would be parsed on every request), @fastify/jwt with the PEM public key.`,
    ...(config.frameworks.includes('grpc') ? [grpcMethod(config.connections)] : []),
    '- Before its load, every server is checked: the valid token answers 200 (gRPC: OK) and a tampered one 401 (gRPC: UNAUTHENTICATED) (an anchor that refuses a valid token is reported as n/a with its error). A run with any non-2xx answer or socket error fails the harness.',
    '- Server CPU per request: `process.cpuUsage()` of the server process around the measured run, divided by the requests it served. Latency: every 2xx response time recorded by the load generator (float milliseconds).',
    '',
    '## Targets',
    '',
    table(
      ['target', 'where', 'measured (median)', 'goal', 'result'],
      checks.map((c) => [c.target, c.where, c.measured, c.goal, mark(c.pass)]),
    ),
    '',
    '## HTTP',
    '',
    ...withoutSamplesSection(results),
    ...config.frameworks.flatMap((f) => [frameworkSection(results, f), '']),
    '## Signature verification alone (in-process, no HTTP)',
    '',
    `Each case runs for ${config.microMillis} ms, ${config.microRounds} interleaved round(s), in a process of its own. \`crypto.verify\` is the physical limit: one synchronous node:crypto verification of the same signature with the same key (signature already decoded); "on the thread pool, 32 in flight" is its callback form with 32 pending, the most the process's thread pool can give. "core verify" is \`createVerifier(...).verify()\` with the default \`signatureVerification\` (on the event loop one at a time, on the thread pool once verifications overlap), unless the case names \`'sync'\`. "cache: false" verifies one token again and again with the cache off; "fresh tokens" cycles through the pool of distinct tokens, so each call also decodes new JSON, with the cache off or on (then every call is a miss and an insertion). "32 in flight" keeps 32 calls pending; jose's \`jwtVerify\` uses WebCrypto, whose work runs on the thread pool. "× crypto.verify" divides each round's figure by \`crypto.verify\`'s in the same round, then takes the median of those ratios (the targets use it too): a machine that changes speed between rounds moves both sides of each ratio.`,
    '',
    microSection(results),
    '',
    '## Memory under a flood of distinct tokens',
    '',
    `Up to ${config.floodCount.toLocaleString('en-US')} distinct tokens per kind (bounded to ${config.floodSeconds} s each) sent one after another to \`createVerifier(...).verify()\` with a ${config.cacheMaxEntries.toLocaleString('en-US')}-entry cache, in a process started with \`--expose-gc\`. Garbage: malformed, unknown \`kid\`, bad signature and untrusted issuer, in turn. Valid: distinct valid HS256 tokens (HS256 only so a million can be minted quickly), each one a cache insertion.`,
    '',
    memorySection(results),
    '',
    '## Reproduce',
    '',
    '```sh',
    'pnpm install',
    'pnpm bench        # full run, rewrites this file and bench/results/latest.json',
    'pnpm bench:smoke  # a few seconds per contender type, writes to a temporary directory',
    '```',
    '',
    'Options (flags or environment): `--rounds` (`BENCH_ROUNDS`), `--duration` seconds (`BENCH_DURATION`), `--warmup` (`BENCH_WARMUP`), `--connections` (`BENCH_CONNECTIONS`), `--frameworks express,koa` (`BENCH_FRAMEWORKS`), `--algs RS256,ES256` (`BENCH_ALGS`), `--micro-ms`, `--micro-rounds`, `--flood-count`, `--flood-seconds`, `--out` (directory for `latest.json`), `--markdown` (report path), `--note` (a remark shown under the title), `--render results.json` (re-render a report without running).',
    '',
  ];
  return sections.join('\n');
}
