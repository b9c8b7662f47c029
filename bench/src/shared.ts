import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Names, claims and file formats shared by the orchestrator and its child processes. */

export const ISSUER = 'https://issuer.bench.internal';
export const HMAC_ISSUER = 'https://hmac.bench.internal';
export const AUDIENCE = 'bench-service';
export const CALLER = 'orders';

export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type Alg = (typeof ALGORITHMS)[number];

/** The HTTP frameworks, and `grpc`: @grpc/grpc-js, one unary method (bare and ours only). */
export const FRAMEWORKS = ['express', 'fastify', 'koa', 'grpc'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * What answers the request. `bare`: the framework alone. `ours`/`ours-nocache`: our adapter with
 * its verified-signature cache on (the default, 10 000 entries) or `cache: false`. `jose`: a
 * plain `jwtVerify` middleware. The rest are the usual alternatives ("anchors").
 */
export const IMPLEMENTATIONS = [
  'bare',
  'ours',
  'ours-nocache',
  'jose',
  'express-oauth2-jwt-bearer',
  'express-jwt',
  'fastify-jwt',
  'fastify-jwt-cache',
  'koa-jwt',
] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

/** `reused`: every request carries the same token. `fresh`: a pool of distinct tokens, cycled. */
export type LoadMode = 'reused' | 'fresh';

export const ANCHORS: Readonly<Record<Framework, readonly Implementation[]>> = {
  express: ['express-oauth2-jwt-bearer', 'express-jwt'],
  fastify: ['fastify-jwt'],
  koa: ['koa-jwt'],
  grpc: [],
};

export const LABELS: Readonly<Record<Implementation, string>> = {
  bare: 'bare framework (no auth)',
  ours: 'ours (cache on)',
  'ours-nocache': 'ours (cache: false)',
  jose: 'plain jose `jwtVerify` middleware',
  'express-oauth2-jwt-bearer': 'express-oauth2-jwt-bearer',
  'express-jwt': 'express-jwt',
  'fastify-jwt': '@fastify/jwt',
  'fastify-jwt-cache': '@fastify/jwt (`cache: true`)',
  'koa-jwt': 'koa-jwt',
};

/** Public half of one signing key, as the servers and the microbenchmarks read it. */
export interface PublicKeyFile {
  readonly alg: Alg;
  readonly kid: string;
  readonly jwk: Record<string, string>;
  readonly pem: string;
}

export interface TokenFile {
  readonly alg: Alg;
  /** The token every request of a `reused` run carries. */
  readonly reused: string;
  /** Distinct tokens (distinct `jti`) for `fresh` runs. */
  readonly pool: readonly string[];
}

/** Written by the orchestrator into its temporary directory. */
export interface Fixtures {
  readonly keys: Readonly<Record<Alg, PublicKeyFile>>;
  readonly tokenFiles: Readonly<Record<Alg, string>>;
  readonly hmacSecret: string;
}

export interface ServerConfig {
  readonly framework: Framework;
  readonly impl: Implementation;
  readonly alg: Alg;
  readonly key: PublicKeyFile;
  /** Size of our adapter's cache when it is on. */
  readonly cacheMaxEntries: number;
}

/** Child → parent messages of a benchmark server. */
export type ServerMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly error: string }
  | {
      readonly type: 'stats';
      readonly id: number;
      readonly cpuMicros: number;
      readonly served: number;
      readonly heapUsed: number;
    };

export const MICRO_CASES = [
  'crypto.verify',
  'crypto.verify on the thread pool, 32 in flight',
  'core verify, cache: false',
  'core verify, cache: false, 32 in flight',
  "core verify, cache: false, 32 in flight, signatureVerification: 'sync'",
  'core verify, cache hit',
  'core verify, fresh tokens, cache: false',
  'core verify, fresh tokens, cache: false, 32 in flight',
  'core verify, fresh tokens, cache on (misses)',
  'jose jwtVerify',
  'jose jwtVerify, 32 in flight',
] as const;
export type MicroCase = (typeof MICRO_CASES)[number];

/** True when `moduleUrl` is the script node was started with (not an import). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(moduleUrl);
  } catch {
    return false;
  }
}

export function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
