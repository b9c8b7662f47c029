import type { AuthContext, AuthorizeOptions } from '@org/auth-core';
import {
  type AdapterOptions,
  type AuthRequestState,
  type BoundAuthorize,
  finishBody,
  prepareAdapter,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import type { Context, Middleware } from 'koa';
import { reject } from './respond.js';
import { authorizeRoute } from './route-check.js';

declare module 'koa' {
  interface DefaultState {
    /**
     * The verified caller, set by `serviceAuth()`; `undefined` before it ran, or in optional
     * mode for a request without credentials. Custom claims are typed through `AuthClaims`.
     */
    auth?: AuthContext | undefined;
    /** The resource loaded by `authorize(action, { resource })`; cast it to its type. */
    resource?: unknown;
    /** The adapter's bookkeeping for this request (authenticator, `onError`, signed body). */
    authState?: AuthRequestState | undefined;
  }
}

/**
 * Core verifier options (or `{ verifier }`, or `{ authenticator }`) plus the adapter's:
 * `optional`, `onError` (`'respond'`, or `'forward'` to throw the `AuthError` to your error
 * middleware or Koa's own handler) and `maxBodyBytes`.
 */
export type ServiceAuthOptions = AdapterOptions & VerifierOrOptions;

/** State after `serviceAuth()` and a guard: `auth` is set, with extra claims `C`. */
export interface AuthenticatedState<C extends object = object> {
  auth: AuthContext<C>;
}

/** The middleware of {@link serviceAuth}, with `authorize()` bound to its verifier. */
export type ServiceAuthMiddleware = Middleware & BoundAuthorize<Context, Middleware>;

/**
 * Verifies the credentials of every request and sets `ctx.state.auth`. The verifier is built
 * once, here; option errors throw an `AuthConfigError` (a `TypeError`) now, not per request.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ issuers: [{ issuer: 'https://auth.internal' }], audience: 'payments' }));
 * router.post('/orders', requirePermission('orders:create'), (ctx) => { ctx.body = ctx.state.auth?.toJSON(); });
 * ```
 */
export function serviceAuth(options: ServiceAuthOptions): ServiceAuthMiddleware {
  const adapter = prepareAdapter(options);
  const authorize = (action: string, options?: AuthorizeOptions<Context>) =>
    authorizeRoute(adapter.authorize(action, options));
  const middleware: Middleware = async (ctx, next) => {
    const state = adapter.enter(ctx.state.authState);
    ctx.state.authState = state;
    // A mounted app (koa-mount) rewrites req.url; signatures and DPoP proofs cover the target as sent.
    if (ctx.originalUrl !== ctx.req.url) (ctx.req as { originalUrl?: string }).originalUrl = ctx.originalUrl;
    let auth = adapter.cached(ctx.req);
    try {
      auth ??= await adapter.authenticate(ctx.req, state);
    } catch (error) {
      return reject(error, ctx);
    }
    // Outside the try: an error thrown downstream is never turned into a rejection.
    ctx.state.auth = auth;
    await next();
  };
  return Object.assign(middleware, { authorize });
}

/**
 * After the body parser: a signed request's body must match its signature. `@koa/bodyparser`
 * and `koa-bodyparser` keep the text they parsed (`ctx.request.rawBody`), checked as UTF-8 bytes
 * (sign UTF-8 bodies); a body no parser read is read here (up to `maxBodyBytes`); one consumed
 * unseen is refused. Requests that were not signed pass.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ authenticator: createHmacAuthenticator({ services }) }));
 * app.use(bodyParser());
 * app.use(verifyBody());
 * ```
 */
export function verifyBody(): Middleware {
  return async (ctx, next) => {
    const raw = (ctx.request as { rawBody?: unknown }).rawBody;
    try {
      await finishBody(ctx.state.authState, ctx.req, typeof raw === 'string' ? raw : undefined);
    } catch (error) {
      return reject(error, ctx);
    }
    await next();
  };
}
