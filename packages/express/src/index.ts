/**
 * `@org/auth-express`: service-to-service authentication for Express 4 and 5. The core's
 * application API (`createVerifier`, errors, stores, ...) is re-exported, so one package does.
 */
import { type AuthorizeOptions, authorize as coreAuthorize, type Guard } from '@org/auth-core';
import { adaptGuards, type GuardFactories } from '@org/auth-core/adapter';
import type { Request, RequestHandler } from 'express';
import { reject } from './respond.js';

export * from '@org/auth-core';
export * from './service-auth.js';
export * from './signed-body.js';

/** Route middleware around one check; `keep` stores what it resolves to as `req.resource`. */
function routeCheck(check: (req: Request) => Promise<unknown>, keep: boolean): RequestHandler {
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

/**
 * Turns any core guard into route middleware. A request that `serviceAuth()` never saw answers
 * 401 `missing_token`.
 *
 * @example app.get('/reports', fromGuard(myGuard), handler)
 */
export function fromGuard(guard: Guard): RequestHandler {
  return routeCheck((req) => guard(req.auth, req, req.authState?.authenticator), false);
}

/**
 * Checks `action` against the verifier's policies (deny overrides allow; none allowing is 403
 * `policy_denied`). The `resource` loader gets `req` and runs once; its result is `req.resource`.
 *
 * @example app.get('/documents/:id', authorize('documents:read', { resource: (req) => documents.get(req.params.id) }), handler)
 */
export function authorize(action: string, options: AuthorizeOptions<Request> = {}): RequestHandler {
  const check = coreAuthorize(action, options);
  return routeCheck((req) => check(req.auth, req, req, req.authState?.authenticator), true);
}

/** Route middleware, as `RequestHandler` with its default parameters. */
export interface RouteHandler extends RequestHandler {}
type Guards = GuardFactories<RouteHandler>;
const guards: Guards = adaptGuards(fromGuard);

/**
 * Route guards made from the core's guards (see `GuardFactories` for each): `requirePermission`,
 * `requireAnyPermission`, `requireRole`, `requireCaller`, `requireKind`, `requireCheck`,
 * `requireUser`, `requireUserPermission` and `requireBoundToken`.
 */
// biome-ignore format: one statement names the nine guards
export const { requirePermission, requireAnyPermission, requireRole, requireCaller, requireKind, requireCheck, requireUser, requireUserPermission, requireBoundToken }: Guards = guards;
