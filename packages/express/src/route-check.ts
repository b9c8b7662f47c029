import type { Authorizer } from '@org/auth-core/adapter';
import type { Request, RequestHandler } from 'express';
import { reject } from './respond.js';

/** Route middleware around one check; `keep` stores what it resolves to as `req.resource`. */
export function routeCheck(check: (req: Request) => Promise<unknown>, keep: boolean): RequestHandler {
  return (req, res, next) => {
    check(req).then(
      (value) => {
        if (keep) req.resource = value;
        next();
      },
      (error: unknown) => reject(error, req, res, next),
    );
  };
}

/** Route middleware around a core authorizer; its resource becomes `req.resource`. */
export function authorizeRoute(check: Authorizer<Request>): RequestHandler {
  return routeCheck((req) => check(req.auth, req, req, req.authState?.authenticator), true);
}
