import { type AuthContext, type Authenticator, isAuthError } from '@org/auth-core';
import {
  type AdapterOptions,
  bindingOf,
  bindRequest,
  resolveAdapterOptions,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import type { Context, Middleware } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /**
     * The verified caller, set by `serviceAuth()`; `undefined` before it ran, or in optional
     * mode for a request without token. Custom claims are typed through `AuthClaims`.
     */
    auth?: AuthContext | undefined;
    /** The resource loaded by `authorize(action, { resource })`; cast it to its type. */
    resource?: unknown;
  }
}

/** The options this adapter adds to the core's. */
export interface KoaAuthOptions {
  /** Let requests without any token through with `ctx.state.auth` undefined; bad tokens are still refused. Default `false`. */
  readonly optional?: boolean;
  /**
   * How a rejection is answered: `'respond'` (default) sets the status, `WWW-Authenticate` and
   * the JSON body `{ error, error_description, code }`; `'throw'` throws the `AuthError` so your
   * error middleware or Koa's own handler renders it (`status`, `expose` and `headers` are set).
   */
  readonly onError?: 'respond' | 'throw';
}

/** Core verifier options, or an existing `verifier` to share, plus {@link KoaAuthOptions}. */
export type ServiceAuthOptions = KoaAuthOptions & AdapterOptions<'respond' | 'throw'> & VerifierOrOptions;

/** State after `serviceAuth()` and a guard: `auth` is set, with extra claims `C`. */
export interface AuthenticatedState<C extends object = object> {
  auth: AuthContext<C>;
}

/**
 * Verifies the bearer token of every request and sets `ctx.state.auth`. The verifier is built
 * once, here; option errors throw an `AuthConfigError` (a `TypeError`) now, not per request.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ issuers: [{ issuer, jwksUri }], audience: 'payments' }));
 * router.post('/orders', requirePermission('orders:create'), (ctx) => { ctx.body = ctx.state.auth?.toJSON(); });
 * ```
 */
export function serviceAuth(options: ServiceAuthOptions): Middleware {
  const { verifier, optional, onError } = resolveAdapterOptions(options, ['respond', 'throw']);
  const binding = { verifier, onError };
  return async (ctx, next) => {
    bindRequest(ctx, binding);
    // A mounted app (koa-mount) rewrites req.url; signatures and DPoP proofs cover the target as sent.
    if (ctx.originalUrl !== ctx.req.url) (ctx.req as { originalUrl?: string }).originalUrl = ctx.originalUrl;
    // A token verified before is answered without awaiting (see Verifier.authenticateCached).
    let auth = verifier.authenticateCached?.(ctx.req);
    try {
      auth ??= await verifier.authenticate(ctx.req, { optional });
    } catch (error) {
      return reject(error, ctx);
    }
    // Outside the try: an error thrown downstream is never turned into a rejection.
    ctx.state.auth = auth;
    await next();
  };
}

/** Answers a rejection the way the request's `serviceAuth()` asked; anything else is rethrown. */
export function reject(error: unknown, ctx: Context): void {
  if (!isAuthError(error) || bindingOf(ctx)?.onError === 'throw') throw error;
  ctx.status = error.status;
  ctx.set({ ...error.headers });
  ctx.body = error.toJSON();
}

/** The verifier (or authenticator) that authenticated `ctx`, if `serviceAuth()` saw it. */
export function verifierOf(ctx: Context): Authenticator | undefined {
  return bindingOf(ctx)?.verifier;
}
