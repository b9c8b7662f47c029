/**
 * The load generator: autocannon in a process of its own, started once by the orchestrator and
 * driven over IPC. Each `run` is bounded by its duration (and autocannon's per-request timeout).
 */
import autocannon from 'autocannon';
import { errorMessage, isMain, type LoadMode } from './shared.js';
import { freshTokens, tokenFile } from './token-pool.js';

export interface LoadRequest {
  readonly type: 'run';
  readonly id: number;
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly mode: LoadMode;
  readonly tokenFile: string;
}

export interface LoadResult {
  /** 2xx responses per second over the run: 0 when none arrived in time. */
  readonly rps: number;
  readonly ok: number;
  readonly total: number;
  readonly durationSeconds: number;
  /**
   * Percentiles of the 2xx response times, ms; `null` when there was none (a short run on a busy
   * machine can end before the first response). Never NaN, which IPC and JSON turn into `null`.
   */
  readonly p50: number | null;
  readonly p99: number | null;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
}

export type LoadMessage =
  | { readonly type: 'result'; readonly id: number; readonly result: LoadResult }
  | { readonly type: 'error'; readonly id: number; readonly error: string };

async function run(request: LoadRequest): Promise<LoadResult> {
  const file = tokenFile(request.tokenFile);
  const url = new URL(request.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`loopback only, not ${url.hostname}`);
  const options: autocannon.Options = {
    url: request.url,
    connections: request.connections,
    duration: request.durationSeconds,
    pipelining: 1,
    timeout: 5,
    // autocannon checks for the end of a run at each sample: every 100 ms, not every second.
    sampleInt: 100,
    headers: { authorization: `Bearer ${file.reused}` },
  };
  if (request.mode === 'fresh') {
    const fresh = freshTokens(request.tokenFile);
    options.requests = [
      {
        method: 'GET',
        path: url.pathname,
        setupRequest: (req) => {
          const token = fresh.next();
          req.headers = { ...req.headers, authorization: `Bearer ${token}` };
          return req;
        },
      },
    ];
    const result = await measure(options);
    fresh.save();
    return result;
  }
  return await measure(options);
}

/**
 * Runs autocannon and records every 2xx response time itself, in float milliseconds: autocannon's
 * own histogram keeps whole milliseconds, too coarse to compare p99s at 1.2×.
 */
function measure(options: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(options, (error, result) => {
      if (error) reject(error);
      else resolve(summarise(result, latencies));
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300 && latencies.length < 5_000_000) latencies.push(responseTime);
    });
  });
}

/** The `p`th percentile (nearest rank) of ascending `sorted`, or `null` when it is empty. */
export function percentile(sorted: Float64Array, p: number): number | null {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
}

/** The parts of autocannon's result a summary reads. */
export type LoadTotals = Pick<
  autocannon.Result,
  '2xx' | 'non2xx' | 'errors' | 'timeouts' | 'duration' | 'statusCodeStats'
> & { readonly requests: { readonly total: number } };

/** autocannon's totals and the 2xx latencies recorded, as the orchestrator receives them. */
export function summarise(result: LoadTotals, latencies: readonly number[]): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = count ?? 0;
  const ok = result['2xx'];
  return {
    rps: result.duration > 0 ? ok / result.duration : 0,
    ok,
    total: result.requests.total,
    durationSeconds: result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

if (isMain(import.meta.url)) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: LoadRequest) => {
    if (message.type !== 'run') return;
    run(message).then(
      (result) => process.send?.({ type: 'result', id: message.id, result } satisfies LoadMessage),
      (error: unknown) =>
        process.send?.({ type: 'error', id: message.id, error: errorMessage(error) } satisfies LoadMessage),
    );
  });
}
