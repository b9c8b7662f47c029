/**
 * `@org/auth-fastify`: service-to-service authentication for Fastify 5. The core's application
 * API (`createVerifier`, errors, stores, ...) is re-exported, so one package does.
 */
import { type AuthorizeOptions, authorize as coreAuthorize, type Guard } from '@org/auth-core';
import { adaptGuards, type GuardFactories } from '@org/auth-core/adapter';
import type { FastifyRequest } from 'fastify';
import { type AuthHook, authorizeRoute, routeCheck } from './route-check.js';

export * from '@org/auth-core';
export { readiness } from './readiness.js';
export type { AuthHook } from './route-check.js';
export {
  type AuthenticateHook,
  type ServiceAuthOptions,
  serviceAuth,
} from './service-auth.js';

/**
 * Turns any core guard into a route hook (`preHandler` or `onRequest`). A request that was never
 * authenticated answers 401 `missing_token`.
 *
 * @example app.get('/reports', { preHandler: fromGuard(myGuard) }, handler)
 */
export function fromGuard(guard: Guard): AuthHook {
  return routeCheck(
    (request) => guard(request.auth ?? undefined, request.raw, request.authState?.authenticator),
    false,
  );
}

/**
 * Checks `action` against the verifier's policies (deny overrides allow; none allowing is 403
 * `policy_denied`). The `resource` loader gets `request` and runs once; its result is `request.resource`.
 *
 * @example app.get('/documents/:id', { preHandler: authorize('documents:read', { resource: (request) => load(request.params) }) }, handler)
 */
export function authorize(action: string, options: AuthorizeOptions<FastifyRequest> = {}): AuthHook {
  return authorizeRoute(coreAuthorize(action, options));
}

type Guards = GuardFactories<AuthHook>;
const guards: Guards = adaptGuards(fromGuard);

/**
 * Route guards made from the core's guards (see `GuardFactories` for each): `requirePermission`,
 * `requireAnyPermission`, `requireRole`, `requireCaller`, `requireKind`, `requireCheck`,
 * `requireUser`, `requireUserPermission` and `requireBoundToken`.
 */
// biome-ignore format: one statement names the nine guards
export const { requirePermission, requireAnyPermission, requireRole, requireCaller, requireKind, requireCheck, requireUser, requireUserPermission, requireBoundToken }: Guards = guards;
