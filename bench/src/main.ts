/**
 * `pnpm bench`: the benchmark orchestrator. It mints keys and tokens, then runs every HTTP
 * contender (one fresh server process per run, interleaved over rounds) against a load generator
 * in another process, then the in-process microbenchmarks and the memory flood (each in a child
 * process), and writes the raw results (JSON) and the Markdown report.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, type as osType, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnChild, stopChild, waitForMessage } from './children.js';
import type { GrpcProbeMessage, GrpcProbeRequest } from './grpc-load.js';
import { GRPC_OK, GRPC_UNAUTHENTICATED } from './grpc-service.js';
import type { LoadMessage, LoadRequest, LoadResult } from './load.js';
import type { MemoryConfig, MemoryResult } from './memory.js';
import type { MicroConfig, MicroSample } from './micro.js';
import {
  type HttpRun,
  missingNumbers,
  type Results,
  type RunConfig,
  renderMarkdown,
  runSummary,
  runsWithoutSamples,
  type Unsupported,
} from './report.js';
import {
  ALGORITHMS,
  type Alg,
  ANCHORS,
  errorMessage,
  type Fixtures,
  FRAMEWORKS,
  type Framework,
  type Implementation,
  isMain,
  type LoadMode,
  MICRO_CASES,
  type PublicKeyFile,
  type ServerConfig,
  type ServerMessage,
  type TokenFile,
} from './shared.js';
import { generateSigningKey, publicKeyFile, serviceClaims, signJwsAsync, tamper } from './tokens.js';

const benchRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(benchRoot, '..');

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// Configuration

interface Options extends RunConfig {
  readonly outDir: string;
  readonly markdown: string;
  readonly skipMicro: boolean;
  readonly skipMemory: boolean;
}

function parseList<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: readonly T[],
): T[] {
  if (!value) return [...fallback];
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new Error(`unknown value ${item}; expected one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

function parseNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number, got ${value}`);
  return n;
}

export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Options & { render?: string; note?: string } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      frameworks: { type: 'string' },
      algs: { type: 'string' },
      pool: { type: 'string' },
      'cache-entries': { type: 'string' },
      'micro-ms': { type: 'string' },
      'micro-rounds': { type: 'string' },
      'flood-count': { type: 'string' },
      'flood-seconds': { type: 'string' },
      'skip-micro': { type: 'boolean', default: false },
      'skip-memory': { type: 'boolean', default: false },
      out: { type: 'string' },
      markdown: { type: 'string' },
      render: { type: 'string' },
      note: { type: 'string' },
    },
    strict: true,
  });
  const smoke = values.smoke || env.BENCH_SMOKE === '1';
  const cacheMaxEntries = parseNumber(
    values['cache-entries'] ?? env.BENCH_CACHE_ENTRIES,
    smoke ? 200 : 10_000,
    'cache-entries',
  );
  const smokeDir = smoke && !values.out ? mkdtempSync(join(tmpdir(), 'bench-smoke-')) : undefined;
  const outDir = resolve(values.out ?? env.BENCH_OUT ?? smokeDir ?? join(benchRoot, 'results'));
  const options = {
    smoke,
    frameworks: parseList(values.frameworks ?? env.BENCH_FRAMEWORKS, FRAMEWORKS, FRAMEWORKS),
    algs: parseList(values.algs ?? env.BENCH_ALGS, ALGORITHMS, smoke ? ['ES256'] : ALGORITHMS),
    microAlgs: parseList(values.algs ?? env.BENCH_ALGS, ALGORITHMS, ALGORITHMS),
    rounds: Math.round(parseNumber(values.rounds ?? env.BENCH_ROUNDS, smoke ? 1 : 3, 'rounds')),
    durationSeconds: parseNumber(values.duration ?? env.BENCH_DURATION, smoke ? 0.3 : 3, 'duration'),
    warmupSeconds: parseNumber(values.warmup ?? env.BENCH_WARMUP, smoke ? 0.1 : 1, 'warmup'),
    connections: Math.round(
      parseNumber(values.connections ?? env.BENCH_CONNECTIONS, smoke ? 10 : 50, 'connections'),
    ),
    cacheMaxEntries,
    // More distinct tokens than the cache holds, cycled in order: with first-in-first-out
    // eviction, a token is always evicted before it comes round again.
    poolSize: Math.round(
      parseNumber(values.pool ?? env.BENCH_POOL, Math.ceil(cacheMaxEntries * 1.2), 'pool'),
    ),
    microRounds: Math.round(
      parseNumber(values['micro-rounds'] ?? env.BENCH_MICRO_ROUNDS, smoke ? 1 : 9, 'micro-rounds'),
    ),
    microMillis: parseNumber(values['micro-ms'] ?? env.BENCH_MICRO_MS, smoke ? 50 : 250, 'micro-ms'),
    floodCount: Math.round(
      parseNumber(values['flood-count'] ?? env.BENCH_FLOOD_COUNT, smoke ? 20_000 : 1_000_000, 'flood-count'),
    ),
    floodSeconds: parseNumber(
      values['flood-seconds'] ?? env.BENCH_FLOOD_SECONDS,
      smoke ? 1.5 : 60,
      'flood-seconds',
    ),
    skipMicro: values['skip-micro'],
    skipMemory: values['skip-memory'],
    outDir,
    markdown: resolve(
      values.markdown ??
        env.BENCH_MARKDOWN ??
        (smokeDir ? join(outDir, 'benchmarks.md') : join(repoRoot, 'docs', 'benchmarks.md')),
    ),
  };
  if (options.poolSize <= options.cacheMaxEntries) {
    throw new Error(
      `pool (${options.poolSize}) must be larger than cache-entries (${options.cacheMaxEntries}) for fresh tokens to miss`,
    );
  }
  const note = values.note ?? env.BENCH_NOTE;
  return {
    ...options,
    ...(note ? { note } : {}),
    ...(values.render ? { render: resolve(values.render) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Contenders

interface Contender {
  readonly framework: Framework;
  readonly impl: Implementation;
  /** For bare: the algorithm of the tokens it is sent (and ignores), so both see the same requests. */
  readonly alg: Alg;
  readonly mode: LoadMode;
}

export function contenders(frameworks: readonly Framework[], algs: readonly Alg[]): Contender[] {
  const list: Contender[] = [];
  for (const framework of frameworks) {
    for (const alg of algs) {
      if (framework === 'grpc') {
        // gRPC: the bare server and ours (unary call), with the same requests; no anchors.
        for (const mode of ['reused', 'fresh'] as const) {
          list.push({ framework, impl: 'bare', alg, mode });
          list.push({ framework, impl: 'ours', alg, mode });
        }
        continue;
      }
      // The bare framework gets the very requests the contenders get (same token bytes), so a
      // ratio to bare measures what the middleware adds, not what longer headers cost.
      list.push({ framework, impl: 'bare', alg, mode: 'reused' });
      list.push({ framework, impl: 'bare', alg, mode: 'fresh' });
      list.push({ framework, impl: 'ours', alg, mode: 'reused' });
      list.push({ framework, impl: 'ours-nocache', alg, mode: 'reused' });
      if (framework === 'fastify') list.push({ framework, impl: 'fastify-jwt-cache', alg, mode: 'reused' });
      list.push({ framework, impl: 'ours', alg, mode: 'fresh' });
      list.push({ framework, impl: 'jose', alg, mode: 'fresh' });
      for (const impl of ANCHORS[framework]) list.push({ framework, impl, alg, mode: 'fresh' });
    }
  }
  return list;
}

function describe(c: Contender): string {
  return `${c.framework} ${c.impl} ${c.alg} ${c.mode}`;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

async function mintFixtures(dir: string, options: Options): Promise<Fixtures> {
  const keys = {} as Record<Alg, PublicKeyFile>;
  const tokenFiles = {} as Record<Alg, string>;
  const algs = [...new Set([...options.algs, ...options.microAlgs, 'ES256' as const])];
  for (const alg of algs) {
    const started = Date.now();
    const key = generateSigningKey(alg);
    keys[alg] = publicKeyFile(key);
    const needsPool = options.algs.includes(alg) || options.microAlgs.includes(alg);
    const size = needsPool ? options.poolSize : 0;
    const pool: string[] = new Array(size);
    let next = 0;
    const worker = async () => {
      while (next < size) {
        const i = next++;
        pool[i] = await signJwsAsync(key, serviceClaims(2 * 3600));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const file: TokenFile = { alg, reused: await signJwsAsync(key, serviceClaims(2 * 3600)), pool };
    tokenFiles[alg] = join(dir, `tokens-${alg}.json`);
    writeFileSync(tokenFiles[alg], JSON.stringify(file));
    log(
      `minted ${size.toLocaleString('en-US')} ${alg} tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const fixtures: Fixtures = { keys, tokenFiles, hmacSecret: `bench-hmac-secret-${'x'.repeat(40)}` };
  writeFileSync(join(dir, 'fixtures.json'), JSON.stringify(fixtures));
  return fixtures;
}

// ---------------------------------------------------------------------------------------------
// HTTP runs

const serverScript = new URL('./server.js', import.meta.url);
const loadScript = new URL('./load.js', import.meta.url);
const grpcLoadScript = new URL('./grpc-load.js', import.meta.url);
const microScript = new URL('./micro.js', import.meta.url);
const memoryScript = new URL('./memory.js', import.meta.url);

let requestId = 0;

async function serverStats(server: ChildProcess): Promise<{ cpuMicros: number; served: number }> {
  const id = ++requestId;
  server.send({ type: 'stats', id });
  return await waitForMessage(
    server,
    (m) => {
      const message = m as ServerMessage;
      return message.type === 'stats' && message.id === id ? message : undefined;
    },
    10_000,
    'server stats',
  );
}

async function load(loader: ChildProcess, request: Omit<LoadRequest, 'type' | 'id'>): Promise<LoadResult> {
  const id = ++requestId;
  loader.send({ ...request, type: 'run', id } satisfies LoadRequest);
  const answer = await waitForMessage(
    loader,
    (m) => {
      const message = m as LoadMessage;
      return message.id === id ? message : undefined;
    },
    request.durationSeconds * 1000 + 30_000,
    'load generator',
  );
  if (answer.type === 'error') throw new Error(`load generator: ${answer.error}`);
  return answer.result;
}

async function probe(url: string, token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, connection: 'close' },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.text()).slice(0, 200) };
}

/** One gRPC call with `token`, made by the gRPC load generator: its status code and details. */
async function grpcProbe(
  loader: ChildProcess,
  url: string,
  token: string,
): Promise<{ status: number; body: string }> {
  const id = ++requestId;
  loader.send({ type: 'probe', id, url, token } satisfies GrpcProbeRequest);
  const answer = await waitForMessage(
    loader,
    (m) => {
      const message = m as GrpcProbeMessage;
      return message.id === id ? message : undefined;
    },
    10_000,
    'gRPC probe',
  );
  if (answer.type === 'error') throw new Error(`gRPC probe: ${answer.error}`);
  return { status: answer.code, body: answer.details.slice(0, 200) };
}

/** The load generator of each kind of server: autocannon for HTTP, a grpc-js client for gRPC. */
interface Loaders {
  readonly http: ChildProcess;
  readonly grpc: ChildProcess | undefined;
}

type RunOutcome = { kind: 'run'; run: HttpRun } | { kind: 'unsupported'; reason: string };

async function runContender(
  contender: Contender,
  round: number,
  options: Options,
  fixtures: Fixtures,
  tokens: Readonly<Record<Alg, TokenFile>>,
  loaders: Loaders,
): Promise<RunOutcome> {
  const { alg } = contender;
  const config: ServerConfig = {
    framework: contender.framework,
    impl: contender.impl,
    alg,
    key: fixtures.keys[alg],
    cacheMaxEntries: options.cacheMaxEntries,
  };
  const server = spawnChild(serverScript, [JSON.stringify(config)]);
  try {
    const ready = await waitForMessage(
      server,
      (m) => {
        const message = m as ServerMessage;
        return message.type === 'ready' || message.type === 'failed' ? message : undefined;
      },
      30_000,
      `${describe(contender)}: start`,
    );
    if (ready.type === 'failed')
      throw new Error(`${describe(contender)}: server failed to start: ${ready.error}`);
    const grpc = contender.framework === 'grpc';
    const loader = grpc ? loaders.grpc : loaders.http;
    if (loader === undefined) throw new Error(`${describe(contender)}: no gRPC load generator`);
    const url = grpc ? `grpc://127.0.0.1:${ready.port}` : `http://127.0.0.1:${ready.port}/`;
    // The same checks over HTTP and gRPC: accepted is 200 or OK, refused is 401 or UNAUTHENTICATED.
    const check = (token: string) => (grpc ? grpcProbe(loader, url, token) : probe(url, token));
    const accepted = grpc ? GRPC_OK : 200;
    const refused = grpc ? GRPC_UNAUTHENTICATED : 401;

    const file = tokens[alg];
    const valid = await check(file.reused);
    if (valid.status !== accepted) {
      const reason = `answers ${valid.status} to a valid ${alg} token: ${valid.body}`;
      if ((ANCHORS[contender.framework] as readonly string[]).includes(contender.impl))
        return { kind: 'unsupported', reason };
      throw new Error(`${describe(contender)} ${reason}`);
    }
    const poolToken = file.pool[file.pool.length - 1];
    if (poolToken !== undefined && (await check(poolToken)).status !== accepted) {
      throw new Error(`${describe(contender)}: refuses a token of the fresh pool`);
    }
    if (contender.impl !== 'bare') {
      const tampered = await check(tamper(file.reused));
      if (tampered.status !== refused) {
        throw new Error(
          `${describe(contender)}: answers ${tampered.status} to a tampered token (expected ${refused})`,
        );
      }
    }

    const request = {
      url,
      connections: options.connections,
      mode: contender.mode,
      tokenFile: fixtures.tokenFiles[alg],
    };
    const warm = await load(loader, { ...request, durationSeconds: options.warmupSeconds });
    const before = await serverStats(server);
    const result = await load(loader, { ...request, durationSeconds: options.durationSeconds });
    const after = await serverStats(server);
    const served = after.served - before.served;
    const measured = {
      p50: result.p50,
      p99: result.p99,
      cpuPerRequest: served > 0 ? (after.cpuMicros - before.cpuMicros) / served : null,
    };
    return {
      kind: 'run',
      run: {
        framework: contender.framework,
        impl: contender.impl,
        alg: contender.alg,
        mode: contender.mode,
        round,
        rps: result.rps,
        ...measured,
        served,
        ok: result.ok,
        non2xx: result.non2xx + warm.non2xx,
        errors: result.errors + warm.errors,
        timeouts: result.timeouts + warm.timeouts,
        statusCodes: result.statusCodes,
        durationSeconds: result.durationSeconds,
        missing: missingNumbers(measured),
      },
    };
  } finally {
    await stopChild(server);
  }
}

// ---------------------------------------------------------------------------------------------
// Child benchmarks

async function runChild<T>(
  script: URL,
  config: object,
  execArgv: string[],
  type: string,
  key: string,
  timeoutMs: number,
): Promise<T> {
  const child = spawnChild(script, [JSON.stringify(config)], execArgv);
  try {
    const message = await waitForMessage(
      child,
      (m) => {
        const msg = m as { type?: string; error?: string } & Record<string, unknown>;
        return msg.type === type || msg.type === 'error' ? msg : undefined;
      },
      timeoutMs,
      type,
    );
    if (message.type === 'error') throw new Error(`${type}: ${message.error}`);
    return message[key] as T;
  } finally {
    await stopChild(child);
  }
}

// ---------------------------------------------------------------------------------------------
// Machine and versions

function versions(): Record<string, string> {
  const read = (dir: string) =>
    (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const modules = join(benchRoot, 'node_modules');
  const out: Record<string, string> = {};
  for (const name of [
    'express',
    'fastify',
    'koa',
    'jose',
    'autocannon',
    '@grpc/grpc-js',
    'express-oauth2-jwt-bearer',
    'express-jwt',
    '@fastify/jwt',
    'koa-jwt',
  ]) {
    try {
      out[name] = read(join(modules, name));
    } catch {
      out[name] = 'unknown';
    }
  }
  for (const [parent, name] of [
    ['express-jwt', 'jsonwebtoken'],
    ['@fastify/jwt', 'fast-jwt'],
  ] as const) {
    try {
      const parentDir = realpathSync(join(modules, parent));
      out[name] = read(join(dirname(parentDir), ...(parent.startsWith('@') ? ['..'] : []), name));
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}

function machine(loadStart: number[]) {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: totalmem() / 1024 ** 3,
    os: `${osType()} ${release()}`,
    node: process.version,
    loadAverageStart: loadStart,
    loadAverageEnd: loadavg(),
    // Read by every child process at its start (they inherit this environment).
    threadPool: process.env.UV_THREADPOOL_SIZE
      ? `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}`
      : '4 threads (default)',
  };
}

// ---------------------------------------------------------------------------------------------

function writeOutputs(results: Results, options: { outDir: string; markdown: string }): void {
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  mkdirSync(dirname(options.markdown), { recursive: true });
  writeFileSync(options.markdown, renderMarkdown(results));
  log(`wrote ${join(options.outDir, 'latest.json')} and ${options.markdown}`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv, process.env);
  if (options.render) {
    const stored = JSON.parse(readFileSync(options.render, 'utf8')) as Results;
    const results = options.note ? { ...stored, note: options.note } : stored;
    if (options.note) writeFileSync(options.render, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(options.markdown, renderMarkdown(results));
    log(`wrote ${options.markdown}`);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const command = `pnpm bench${argv.length ? ` ${argv.join(' ')}` : ''}`;
  const work = mkdtempSync(join(tmpdir(), 'bench-fixtures-'));
  const cleanUp = () => rmSync(work, { recursive: true, force: true });
  process.once('exit', cleanUp); // also on Ctrl-C, which exits from the signal handler
  try {
    const fixtures = await mintFixtures(work, options);
    const tokens = {} as Record<Alg, TokenFile>;
    for (const alg of Object.keys(fixtures.tokenFiles) as Alg[]) {
      tokens[alg] = JSON.parse(readFileSync(fixtures.tokenFiles[alg], 'utf8')) as TokenFile;
    }

    const list = contenders(options.frameworks, options.algs);
    const perRun = options.warmupSeconds + options.durationSeconds + 0.8;
    log(
      `${list.length} contenders × ${options.rounds} round(s), about ${Math.ceil((list.length * options.rounds * perRun) / 60)} min of HTTP runs`,
    );
    let phaseStarted = Date.now();
    const runs: HttpRun[] = [];
    const unsupported: Unsupported[] = [];
    const loaders: Loaders = {
      http: spawnChild(loadScript, []),
      grpc: options.frameworks.includes('grpc') ? spawnChild(grpcLoadScript, []) : undefined,
    };
    try {
      let done = 0;
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? list : [...list].reverse();
        for (const contender of order) {
          done++;
          if (
            unsupported.some(
              (u) =>
                u.framework === contender.framework && u.impl === contender.impl && u.alg === contender.alg,
            )
          )
            continue;
          const outcome = await runContender(contender, round, options, fixtures, tokens, loaders);
          const progress = `[${done}/${list.length * options.rounds}] ${describe(contender)}`;
          if (outcome.kind === 'unsupported') {
            unsupported.push({
              framework: contender.framework,
              impl: contender.impl,
              alg: contender.alg,
              reason: outcome.reason,
            });
            log(`${progress}: n/a (${outcome.reason})`);
            continue;
          }
          runs.push(outcome.run);
          log(`${progress}: ${runSummary(outcome.run)}`);
        }
      }
    } finally {
      await Promise.all([stopChild(loaders.http), loaders.grpc && stopChild(loaders.grpc)]);
    }
    log(`HTTP runs done in ${seconds(phaseStarted)}`);

    let micro: MicroSample[] = [];
    if (!options.skipMicro) {
      const config: MicroConfig = {
        fixturesFile: join(work, 'fixtures.json'),
        algs: options.microAlgs,
        rounds: options.microRounds,
        millisPerCase: options.microMillis,
      };
      const budget =
        options.microAlgs.length *
          MICRO_CASES.length *
          (options.microRounds + 1) *
          (options.microMillis + 500) +
        60_000;
      log('microbenchmarks…');
      phaseStarted = Date.now();
      micro = await runChild<MicroSample[]>(microScript, config, [], 'micro', 'samples', budget);
      log(`microbenchmarks done in ${seconds(phaseStarted)}`);
    }
    let memory: MemoryResult | null = null;
    if (!options.skipMemory) {
      const config: MemoryConfig = {
        fixturesFile: join(work, 'fixtures.json'),
        count: options.floodCount,
        secondsPerPhase: options.floodSeconds,
        cacheMaxEntries: options.cacheMaxEntries,
      };
      log('memory flood…');
      phaseStarted = Date.now();
      memory = await runChild<MemoryResult>(
        memoryScript,
        config,
        ['--expose-gc'],
        'memory',
        'memory',
        2 * options.floodSeconds * 1000 + 60_000,
      );
      log(`memory flood done in ${seconds(phaseStarted)}`);
    }

    const results: Results = {
      command,
      ...(options.note ? { note: options.note } : {}),
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: machine(loadStart),
      config: {
        smoke: options.smoke,
        frameworks: options.frameworks,
        algs: options.algs,
        microAlgs: options.microAlgs,
        rounds: options.rounds,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        poolSize: options.poolSize,
        cacheMaxEntries: options.cacheMaxEntries,
        microRounds: options.microRounds,
        microMillis: options.microMillis,
        floodCount: options.floodCount,
        floodSeconds: options.floodSeconds,
      },
      versions: versions(),
      http: { runs, unsupported },
      micro,
      memory,
    };
    writeOutputs(results, options);
    // Missing samples are reported, never a failure: only wrong answers fail the harness.
    const incomplete = runsWithoutSamples(results).length;
    if (incomplete > 0)
      log(
        `${incomplete} of ${runs.length} runs lack samples (n/a in the report): too short a --duration for this machine's load`,
      );
    const failed = runs.filter((r) => r.non2xx > 0 || r.errors > 0);
    for (const r of failed)
      log(`run with failures: ${describe(r)} round ${r.round}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    cleanUp();
    process.off('exit', cleanUp);
  }
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      log(`bench failed: ${errorMessage(error)}`);
      process.exitCode = 1;
    },
  );
}
