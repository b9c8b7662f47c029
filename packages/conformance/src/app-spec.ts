import {
  type AuthContext,
  isAuthError,
  MemoryRevocationStore,
  type Verifier,
  type VerifierOptions,
} from '@org/auth-core';
import type { Running } from './client.js';
import { type JwksServer, startJwksServer } from './jwks-server.js';
import { type ClaimPatch, createSigningKey, type MintOptions, mint, type SigningKey } from './tokens.js';

export const AUDIENCE = 'payments';
export const REALM = 'payments';
export const ISSUER_A = 'https://auth-a.internal';
export const ISSUER_B = 'https://auth-b.internal';
/** Remote keys, from a JWKS endpoint the suite switches off. */
export const ISSUER_FLAKY = 'https://flaky.internal';
/** Remote keys, from a JWKS endpoint that always fails. */
export const ISSUER_DOWN = 'https://down.internal';
export const REVOKED_JTI = 'revoked-token-1';

/**
 * What every target builds, with its framework and nothing else:
 *
 * - `/api`: `serviceAuth(spec.options)`, rejections answered by the adapter
 *   - `GET /whoami` (both kinds), `POST /orders` requirePermission('orders:create'),
 *     `GET /orders` requireAnyPermission('orders:read', 'orders:admin'), `GET /admin`
 *     requireRole('admin'), `GET /internal` requireCaller('orders', 'spiffe://prod/ns/billing/*'),
 *     `GET /service-only` requireKind('service'), `GET /boom` throws `new Error('boom')`
 * - `/optional`: `serviceAuth({ verifier: spec.verifier, optional: true })`
 *   - `GET /whoami`, `POST /orders` requirePermission('orders:create')
 * - `/delegated`: `serviceAuth({ verifier: spec.verifier, onError: <next|throw> })`, rendered by
 *   the app's own error handler with {@link appError}
 *   - `GET /whoami`, `POST /orders` requirePermission('orders:create'), `GET /boom` throws
 * - `GET /open/guarded`: requirePermission('orders:read') without any serviceAuth
 *
 * Every handler answers 200 with {@link echo} of the request's auth context.
 */
export interface AppSpec {
  readonly options: VerifierOptions;
  /** A verifier built from the same options, for the routes that share one. */
  readonly verifier: Verifier;
  readonly echo: typeof echo;
  readonly appError: typeof appError;
}

/** A framework under test: builds the app of {@link AppSpec} and listens on loopback. */
export interface Target {
  readonly name: string;
  start(spec: AppSpec): Promise<Running>;
}

/** The body of every successful handler. */
export function echo(auth: AuthContext | null | undefined): { auth: Record<string, unknown> | null } {
  return { auth: auth?.toJSON() ?? null };
}

/** What the app's own error handler answers, for `/delegated`. */
export function appError(error: unknown): {
  status: number;
  headers: Record<string, string>;
  body: { handledBy: 'app'; code: string };
} {
  if (isAuthError(error)) {
    return {
      status: error.statusCode,
      headers: { ...error.headers },
      body: { handledBy: 'app', code: error.code },
    };
  }
  return { status: 500, headers: {}, body: { handledBy: 'app', code: 'internal_error' } };
}

/** Keys, the JWKS server and a token minter shared by every scenario. */
export interface Kit {
  readonly keys: { readonly a: SigningKey; readonly b: SigningKey; readonly flaky: SigningKey };
  readonly jwks: JwksServer;
  readonly options: VerifierOptions;
  /** Mints a token of issuer A (see `mint`), or of another issuer/key. */
  token(claims?: ClaimPatch, options?: Partial<MintOptions>): Promise<string>;
  close(): Promise<void>;
}

export async function createKit(): Promise<Kit> {
  const keys = {
    a: await createSigningKey('a-1'),
    b: await createSigningKey('b-1'),
    flaky: await createSigningKey('flaky-1', 'RS256'),
  };
  const jwks = await startJwksServer([keys.flaky.jwk]);
  const revocation = new MemoryRevocationStore();
  revocation.revokeToken(REVOKED_JTI, { expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  const options: VerifierOptions = {
    issuers: [
      { issuer: ISSUER_A, jwks: { keys: [keys.a.jwk] } },
      { issuer: ISSUER_B, jwks: { keys: [keys.b.jwk] } },
      { issuer: ISSUER_FLAKY, jwksUri: `${jwks.url}/flaky/jwks.json` },
      { issuer: ISSUER_DOWN, jwksUri: `${jwks.url}/down/jwks.json` },
    ],
    audience: AUDIENCE,
    services: { callers: ['orders', 'inventory', 'spiffe://prod/ns/billing/*'] },
    users: true,
    roles: { admin: ['*'], clerk: ['orders:read'] },
    realm: REALM,
    revocation,
    remoteKeys: { cooldown: 1, timeout: 2 },
  };
  return {
    keys,
    jwks,
    options,
    token: (claims = {}, options = {}) => mint({ key: keys.a, issuer: ISSUER_A, claims, ...options }),
    close: () => jwks.close(),
  };
}
