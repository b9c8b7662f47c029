/**
 * `@org/auth-koa`: service-to-service authentication for Koa 2 and 3. The core's application API
 * (`createVerifier`, errors, stores, ...) is re-exported, so one package does.
 */
import { type AuthorizeOptions, authorize as coreAuthorize, type Guard } from '@org/auth-core';
import { adaptGuards, type GuardFactories } from '@org/auth-core/adapter';
import type { Context, Middleware } from 'koa';
import { authorizeRoute, routeCheck } from './route-check.js';

export * from '@org/auth-core';
export * from './readiness.js';
export * from './service-auth.js';

/**
 * Turns any core guard into middleware. A request that `serviceAuth()` never saw answers 401
 * `missing_token`.
 *
 * @example router.get('/reports', fromGuard(myGuard), handler)
 */
export function fromGuard(guard: Guard): Middleware {
  return routeCheck((ctx) => guard(ctx.state.auth, ctx.req, ctx.state.authState?.authenticator), false);
}

/**
 * Checks `action` against the verifier's policies (deny overrides allow; none allowing is 403
 * `policy_denied`). The `resource` loader gets `ctx` and runs once; its result is `ctx.state.resource`.
 *
 * @example router.get('/documents/:id', authorize('documents:read', { resource: (ctx) => documents.get(ctx.params.id) }), handler)
 */
export function authorize(action: string, options: AuthorizeOptions<Context> = {}): Middleware {
  return authorizeRoute(coreAuthorize(action, options));
}

type Guards = GuardFactories<Middleware>;
const guards: Guards = adaptGuards(fromGuard);

/**
 * Route guards made from the core's guards (see `GuardFactories` for each): `requirePermission`,
 * `requireAnyPermission`, `requireRole`, `requireCaller`, `requireKind`, `requireCheck`,
 * `requireUser`, `requireUserPermission` and `requireBoundToken`.
 */
// biome-ignore format: one statement names the nine guards
export const { requirePermission, requireAnyPermission, requireRole, requireCaller, requireKind, requireCheck, requireUser, requireUserPermission, requireBoundToken }: Guards = guards;
