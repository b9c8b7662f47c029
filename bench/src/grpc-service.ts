/**
 * The benchmark's gRPC service: one unary method, `/bench.Bench/Get`, whose request is empty and
 * whose answer is the same small JSON body as the HTTP servers'. Messages are raw bytes (no
 * protobuf codec), so that what is measured is the call and its authentication, not a codec.
 * Used by the gRPC server (server.ts) and the gRPC load generator (grpc-load.ts).
 */
import type { ServiceDefinition } from '@grpc/grpc-js';

export const GET_PATH = '/bench.Bench/Get';

const bytes = (value: Buffer): Buffer => value;

export const benchService = {
  Get: {
    path: GET_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
  },
} satisfies ServiceDefinition;

/** The gRPC status codes the harness checks (see @grpc/grpc-js `status`). */
export const GRPC_OK = 0;
export const GRPC_DEADLINE_EXCEEDED = 4;
export const GRPC_UNAVAILABLE = 14;
export const GRPC_UNAUTHENTICATED = 16;

/** `grpc://127.0.0.1:port`: how the orchestrator names a gRPC server (the load generator checks loopback). */
export function grpcAddress(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'grpc:') throw new Error(`not a grpc:// URL: ${url}`);
  if (parsed.hostname !== '127.0.0.1') throw new Error(`loopback only, not ${parsed.hostname}`);
  return parsed.host;
}
