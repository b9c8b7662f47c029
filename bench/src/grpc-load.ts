/**
 * The gRPC load generator: a @grpc/grpc-js client in a process of its own, started once by the
 * orchestrator and driven over IPC like the HTTP one (load.ts). A run keeps `connections` unary
 * calls in flight on one channel (one HTTP/2 connection, as a gRPC client uses it) and is bounded
 * in time (its duration), in count ({@link MAX_CALLS}) and per call (a 5 s deadline). It also
 * answers `probe`s: one call with a given token, for the checks before a run.
 */
import { performance } from 'node:perf_hooks';
import { Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { GET_PATH, GRPC_DEADLINE_EXCEEDED, GRPC_OK, GRPC_UNAVAILABLE, grpcAddress } from './grpc-service.js';
import { type LoadMessage, type LoadRequest, type LoadResult, percentile } from './load.js';
import { errorMessage, isMain } from './shared.js';
import { freshTokens, tokenFile } from './token-pool.js';

/** One call with `token` (a `probe` of the checks before a run). */
export interface GrpcProbeRequest {
  readonly type: 'probe';
  readonly id: number;
  readonly url: string;
  readonly token: string;
}

export type GrpcProbeMessage =
  | { readonly type: 'probe'; readonly id: number; readonly code: number; readonly details: string }
  | { readonly type: 'error'; readonly id: number; readonly error: string };

/** Calls per run at most, whatever its duration. */
const MAX_CALLS = 5_000_000;
const CALL_DEADLINE_MS = 5000;
const EMPTY = Buffer.alloc(0);

/** One channel per server; a run against another server closes the previous one. */
let channel: { readonly address: string; readonly client: Client } | undefined;

function clientFor(url: string): Client {
  const address = grpcAddress(url);
  if (channel?.address !== address) {
    channel?.client.close();
    channel = { address, client: new Client(address, credentials.createInsecure()) };
  }
  return channel.client;
}

function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** One unary call: its status code, and the details of a refusal. Never rejects. */
function call(client: Client, metadata: Metadata): Promise<{ code: number; details: string }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      GET_PATH,
      (value: Buffer) => value,
      (value: Buffer) => value,
      EMPTY,
      metadata,
      { deadline: Date.now() + CALL_DEADLINE_MS },
      (error: ServiceError | null) =>
        resolve(error ? { code: error.code, details: error.details } : { code: GRPC_OK, details: '' }),
    );
  });
}

async function run(request: LoadRequest): Promise<LoadResult> {
  const client = clientFor(request.url);
  const { reused } = tokenFile(request.tokenFile);
  const fresh = freshTokens(request.tokenFile);
  // A new Metadata per call in both modes, so that reused and fresh runs differ only in the token.
  const metadataFor = request.mode === 'fresh' ? () => bearer(fresh.next()) : () => bearer(reused);

  const latencies: number[] = [];
  const byStatus = new Map<number, number>();
  let issued = 0;
  const started = performance.now();
  const end = started + request.durationSeconds * 1000;
  const worker = async () => {
    while (performance.now() < end && issued < MAX_CALLS) {
      issued++;
      const sent = performance.now();
      const { code } = await call(client, metadataFor());
      if (code === GRPC_OK && latencies.length < MAX_CALLS) latencies.push(performance.now() - sent);
      byStatus.set(code, (byStatus.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: request.connections }, worker));
  const elapsedSeconds = (performance.now() - started) / 1000;
  if (request.mode === 'fresh') fresh.save();
  return summariseCalls(byStatus, latencies, elapsedSeconds);
}

/**
 * The run's totals as the HTTP load generator reports them: an OK answer counts as a 2xx, any
 * other status answered as a non-2xx, except DEADLINE_EXCEEDED (a timeout) and UNAVAILABLE (no
 * connection: a socket error). Status codes are keyed by name (`OK`, `UNAUTHENTICATED`).
 */
export function summariseCalls(
  byStatus: ReadonlyMap<number, number>,
  latencies: readonly number[],
  elapsedSeconds: number,
): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  let total = 0;
  for (const [code, count] of byStatus) {
    statusCodes[status[code] ?? String(code)] = count;
    total += count;
  }
  const ok = byStatus.get(GRPC_OK) ?? 0;
  const timeouts = byStatus.get(GRPC_DEADLINE_EXCEEDED) ?? 0;
  const errors = byStatus.get(GRPC_UNAVAILABLE) ?? 0;
  return {
    rps: elapsedSeconds > 0 ? ok / elapsedSeconds : 0,
    ok,
    total,
    durationSeconds: elapsedSeconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    non2xx: total - ok - timeouts - errors,
    errors,
    timeouts,
    statusCodes,
  };
}

if (isMain(import.meta.url)) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: LoadRequest | GrpcProbeRequest) => {
    if (message.type === 'probe') {
      call(clientFor(message.url), bearer(message.token)).then(
        ({ code, details }) =>
          process.send?.({ type: 'probe', id: message.id, code, details } satisfies GrpcProbeMessage),
        (error: unknown) =>
          process.send?.({
            type: 'error',
            id: message.id,
            error: errorMessage(error),
          } satisfies GrpcProbeMessage),
      );
      return;
    }
    if (message.type !== 'run') return;
    run(message).then(
      (result) => process.send?.({ type: 'result', id: message.id, result } satisfies LoadMessage),
      (error: unknown) =>
        process.send?.({ type: 'error', id: message.id, error: errorMessage(error) } satisfies LoadMessage),
    );
  });
}
