import { finishBody, receiveBody, rejectionResponse } from '@org/auth-core/adapter';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { reject } from './respond.js';

/**
 * Reports the raw body to the signature check while Express's body parser reads it: pass it as
 * the parser's `verify` option. A body that does not match fails with the `AuthError`
 * `body_mismatch` (401), which the parser hands to `next(err)`: render it with
 * {@link authErrorHandler}.
 */
export function verifyBody(req: Request, _res: Response, body: Buffer): void {
  req.authState = receiveBody(req.authState, body);
}

/**
 * After the body parsers: a signed request's body must have matched its signature. A body no
 * parser read is read here (up to `maxBodyBytes`) and checked; one consumed unseen is refused.
 * Requests that were not signed pass.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ authenticator: createHmacAuthenticator({ services }) }));
 * app.use(express.json({ verify: verifyBody }), checkBody());
 * // ...routes...
 * app.use(authErrorHandler());
 * ```
 */
export function checkBody(): RequestHandler {
  return (req, res, next) => {
    finishBody(req.authState, req).then(
      () => next(),
      (error: unknown) => reject(error, req, res, next),
    );
  };
}

/**
 * Error middleware that answers an `AuthError` passed to `next(err)` (by a body parser with
 * {@link verifyBody}, or by `serviceAuth({ onError: 'forward' })`) like `serviceAuth()` does:
 * status, `WWW-Authenticate` and the JSON body `{ error, error_description, code }`. Other errors
 * go on to the next error handler. Add it after your routes.
 */
export function authErrorHandler(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    const response = res.headersSent ? undefined : rejectionResponse(error, undefined);
    if (response === undefined) next(error);
    else res.status(response.status).set(response.headers).json(response.body);
  };
}
