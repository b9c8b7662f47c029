import type { AuthContext } from '@org/auth-core';
import {
  type AdapterOptions,
  type AuthRequestState,
  prepareAdapter,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import type { Request, RequestHandler } from 'express';
import { reject } from './respond.js';

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
export function serviceAuth(options: ServiceAuthOptions): RequestHandler {
  const adapter = prepareAdapter(options);
  return (req, res, next) => {
    const state = adapter.enter(req.authState);
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
}
