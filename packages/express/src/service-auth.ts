import type { AuthContext, AuthorizeOptions } from '@org/auth-core';
import {
  type AdapterOptions,
  type AuthRequestState,
  type BoundAuthorize,
  prepareAdapter,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import type { Request, RequestHandler } from 'express';
import { reject } from './respond.js';
import { authorizeRoute } from './route-check.js';

declare global {
  namespace Express {
    interface Request {
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
}

/**
 * Core verifier options (or `{ verifier }`, or `{ authenticator }`) plus the adapter's:
 * `optional`, `onError` (`'respond'`, or `'forward'` to call `next(err)` with the `AuthError`)
 * and `maxBodyBytes`.
 */
export type ServiceAuthOptions = AdapterOptions & VerifierOrOptions;

/** A request after `serviceAuth()` and a guard: `auth` is set, with extra claims `C`. */
export type AuthenticatedRequest<C extends object = object> = Request & { auth: AuthContext<C> };

/** The middleware of {@link serviceAuth}, with `authorize()` bound to its verifier. */
export type ServiceAuthMiddleware = RequestHandler & BoundAuthorize<Request, RequestHandler>;

/**
 * Verifies the credentials of every request and sets `req.auth`. The verifier is built once,
 * here; option errors throw an `AuthConfigError` (a `TypeError`) now, not per request.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ issuers: [{ issuer: 'https://auth.internal' }], audience: 'payments' }));
 * app.post('/orders', requirePermission('orders:create'), (req, res) => res.json(req.auth?.toJSON()));
 * ```
 */
export function serviceAuth(options: ServiceAuthOptions): ServiceAuthMiddleware {
  const adapter = prepareAdapter(options);
  const signed = adapter.authenticator.signsBodies === true;
  const authorize = (action: string, options?: AuthorizeOptions<Request>) =>
    authorizeRoute(adapter.authorize(action, options));
  const middleware: RequestHandler = (req, res, next) => {
    // Only a body parser of a signed request may have made a state already; an absent property
    // of `req` is looked up through its whole prototype chain, so unsigned requests never read it.
    const state = adapter.enter(signed ? req.authState : undefined);
    req.authState = state;
    // A token verified before needs no promise.
    const cached = adapter.cached(req);
    if (cached !== undefined) {
      req.auth = cached;
      next();
      return;
    }
    // then(ok, fail): an error thrown downstream of next() never reaches the rejection path.
    adapter.authenticate(req, state).then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (error: unknown) => reject(error, req, res, next),
    );
  };
  return Object.assign(middleware, { authorize });
}
