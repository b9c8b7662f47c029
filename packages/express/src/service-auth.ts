import { type AuthContext, type Authenticator, isAuthError } from '@org/auth-core';
import {
  type AdapterOptions,
  bindingOf,
  bindRequest,
  resolveAdapterOptions,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /**
       * The verified caller, set by `serviceAuth()`; `undefined` before it ran, or in optional
       * mode for a request without token. Custom claims are typed through `AuthClaims`.
       */
      auth?: AuthContext | undefined;
      /** The resource loaded by `authorize(action, { resource })`; cast it to its type. */
      resource?: unknown;
    }
  }
}

/** The options this adapter adds to the core's. */
export interface ExpressAuthOptions {
  /** Let requests without any token through with `req.auth` undefined; bad tokens are still refused. Default `false`. */
  readonly optional?: boolean;
  /**
   * How a rejection is answered: `'respond'` (default) sends the status, `WWW-Authenticate` and
   * the JSON body `{ error, error_description, code }`; `'next'` calls `next(err)` so your error
   * handler renders the `AuthError` (it carries `status`, `statusCode` and `headers`).
   */
  readonly onError?: 'respond' | 'next';
}

/** Core verifier options, or an existing `verifier` to share, plus {@link ExpressAuthOptions}. */
export type ServiceAuthOptions = ExpressAuthOptions & AdapterOptions<'respond' | 'next'> & VerifierOrOptions;

/** A request after `serviceAuth()` and a guard: `auth` is set, with extra claims `C`. */
export type AuthenticatedRequest<C extends object = object> = Request & { auth: AuthContext<C> };

/**
 * Verifies the bearer token of every request and sets `req.auth`. The verifier is built once,
 * here; option errors throw an `AuthConfigError` (a `TypeError`) now, not per request.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ issuers: [{ issuer, jwksUri }], audience: 'payments' }));
 * app.post('/orders', requirePermission('orders:create'), (req, res) => res.json(req.auth?.toJSON()));
 * ```
 */
export function serviceAuth(options: ServiceAuthOptions): RequestHandler {
  const { verifier, optional, onError } = resolveAdapterOptions(options, ['respond', 'next']);
  const binding = { verifier, onError };
  return (req, res, next) => {
    bindRequest(req, binding);
    // A token verified before needs no promise (see Verifier.authenticateCached).
    const cached = verifier.authenticateCached?.(req);
    if (cached !== undefined) {
      req.auth = cached;
      next();
      return;
    }
    // then(ok, fail): an error thrown downstream of next() never reaches the rejection path.
    verifier.authenticate(req, { optional }).then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (error: unknown) => reject(error, req, res, next),
    );
  };
}

/** Answers a rejection the way the request's `serviceAuth()` asked; anything else goes to `next`. */
export function reject(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (isAuthError(error) && bindingOf(req)?.onError !== 'next') {
    res.status(error.status).set(error.headers).json(error.toJSON());
  } else {
    next(error);
  }
}

/** The verifier (or authenticator) that authenticated `req`, if `serviceAuth()` saw it. */
export function verifierOf(req: Request): Authenticator | undefined {
  return bindingOf(req)?.verifier;
}
