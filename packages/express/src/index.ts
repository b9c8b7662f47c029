/**
 * `@org/auth-express`: service-to-service authentication for Express 4 and 5. The core's
 * application API (`createVerifier`, errors, stores, ...) is re-exported, so one package does.
 */
import { type AuthorizeOptions, authorize as coreAuthorize, type Guard } from '@org/auth-core';
import { adaptGuards, type GuardFactories } from '@org/auth-core/adapter';
import type { Request, RequestHandler } from 'express';
import { authorizeRoute, routeCheck } from './route-check.js';

export * from '@org/auth-core';
export * from './readiness.js';
export * from './service-auth.js';
export * from './signed-body.js';

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
  return authorizeRoute(coreAuthorize(action, options));
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
