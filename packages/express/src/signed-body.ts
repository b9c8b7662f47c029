import { isAuthError } from '@org/auth-core';
import { verifyRequestBody } from '@org/auth-core/adapter';
import type { ErrorRequestHandler, Request, Response } from 'express';

/**
 * Checks a signed request's body against its HMAC signature while Express's body parser reads
 * it: pass it as the parser's `verify` option. A body that does not match fails with the
 * `AuthError` `body_mismatch` (401), which the parser hands to `next(err)`: render it with
 * {@link authErrorHandler}. Requests that were not signed are not affected.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ authenticator: createHmacAuthenticator({ services }) }));
 * app.use(express.json({ verify: verifyBody }));
 * // ...routes...
 * app.use(authErrorHandler());
 * ```
 */
export function verifyBody(req: Request, _res: Response, body: Buffer): void {
  verifyRequestBody(req, body);
}

/**
 * Error middleware that answers an `AuthError` passed to `next(err)` (by a body parser with
 * {@link verifyBody}, or by `serviceAuth({ onError: 'next' })`) like `serviceAuth()` does: status,
 * `WWW-Authenticate` and the JSON body `{ error, error_description, code }`. Other errors go on
 * to the next error handler. Add it after your routes.
 */
export function authErrorHandler(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (!isAuthError(error) || res.headersSent) {
      next(error);
      return;
    }
    res.status(error.status).set(error.headers).json(error.toJSON());
  };
}
