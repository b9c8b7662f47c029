import { type AuthorizeOptions, authorize as coreAuthorize, type Guard } from '@org/auth-core';
import { adaptGuards, type GuardFactories } from '@org/auth-core/adapter';
import type { Request, RequestHandler } from 'express';
import { reject, verifierOf } from './service-auth.js';

/**
 * Turns any core guard into route middleware. A request that `serviceAuth()` never saw answers
 * 401 `missing_token`.
 *
 * @example app.get('/reports', fromGuard(myGuard), handler)
 */
export function fromGuard(guard: Guard): RequestHandler {
  return (req, res, next) => {
    guard(req.auth, req, verifierOf(req)).then(
      () => next(),
      (error: unknown) => reject(error, req, res, next),
    );
  };
}

type Guards = GuardFactories<RequestHandler>;
const guards: Guards = adaptGuards(fromGuard);

// Route guards, made from the core's guards; each is documented on `GuardFactories` in @org/auth-core.
export const requirePermission: Guards['requirePermission'] = guards.requirePermission;
export const requireAnyPermission: Guards['requireAnyPermission'] = guards.requireAnyPermission;
export const requireRole: Guards['requireRole'] = guards.requireRole;
export const requireCaller: Guards['requireCaller'] = guards.requireCaller;
export const requireKind: Guards['requireKind'] = guards.requireKind;
export const requireCheck: Guards['requireCheck'] = guards.requireCheck;
export const requireUser: Guards['requireUser'] = guards.requireUser;
export const requireUserPermission: Guards['requireUserPermission'] = guards.requireUserPermission;
export const requireBoundToken: Guards['requireBoundToken'] = guards.requireBoundToken;

/**
 * Checks `action` against the verifier's policies (deny overrides allow; none allowing is 403
 * `policy_denied`). The `resource` loader gets `req` and runs once; its result is `req.resource`.
 *
 * @example app.get('/documents/:id', authorize('documents:read', { resource: (req) => documents.get(req.params.id) }), handler)
 */
export function authorize(action: string, options: AuthorizeOptions<Request> = {}): RequestHandler {
  const check = coreAuthorize(action, options);
  return (req, res, next) => {
    check(req.auth, req, req, verifierOf(req)).then(
      (resource) => {
        req.resource = resource;
        next();
      },
      (error: unknown) => reject(error, req, res, next),
    );
  };
}
