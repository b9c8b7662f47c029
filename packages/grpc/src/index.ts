/**
 * `@org/auth-grpc`: service-to-service authentication and per-method authorization for
 * `@grpc/grpc-js` servers. The core's application API (`createVerifier`, errors, stores, ...) is
 * re-exported, so one package does.
 */
import { type AuthorizeOptions, authorize as coreAuthorize, type Guard } from '@org/auth-core';
import { adaptGuards, type GuardFactories } from '@org/auth-core/adapter';
import type { GuardedCall, MethodGuard } from './service-auth.js';

export * from '@org/auth-core';
export type { ServerSurfaceCall } from './call-request.js';
export {
  AUTH_ERROR_CODE_KEY,
  AUTH_ERROR_KEY,
  GRPC_STATUS_OF_HTTP,
  grpcStatusOf,
  rejectionStatus,
} from './grpc-status.js';
export {
  type AuthenticatedCall,
  type AuthenticatedHandler,
  type AuthenticatedImplementation,
  type GrpcServiceAuth,
  type GuardedCall,
  type MethodGuard,
  type MethodGuards,
  type ServiceAuthOptions,
  serviceAuth,
} from './service-auth.js';

/**
 * Turns any core guard into a method guard. A call that was not authenticated (optional mode,
 * no credentials) is refused `UNAUTHENTICATED` `missing_token`.
 *
 * @example auth.protect(reports, { Export: fromGuard(myGuard) })
 */
export function fromGuard(guard: Guard): MethodGuard {
  return {
    requirement: guard.requirement,
    check: (call, request, authenticator) => guard(call.auth, request, authenticator),
  };
}

/**
 * Checks `action` against the verifier's policies (deny overrides allow; none allowing is
 * `PERMISSION_DENIED` `policy_denied`). The `resource` loader gets the call (for unary and
 * server-streaming methods, `call.request` is the request message) and runs once; its result is
 * `call.resource`.
 *
 * @example auth.protect(documents, { GetDocument: authorize('documents:read', { resource: (call) => load(call.request.id) }) })
 */
export function authorize<C extends GuardedCall = GuardedCall>(
  action: string,
  options: AuthorizeOptions<C> = {},
): MethodGuard {
  const check = coreAuthorize(action, options);
  return {
    requirement: check.requirement,
    check: async (call, request, authenticator) => {
      call.resource = await check(call.auth, call as C, request, authenticator);
    },
  };
}

type Guards = GuardFactories<MethodGuard>;
const guards: Guards = adaptGuards(fromGuard);

/**
 * Method guards made from the core's guards (see `GuardFactories` for each): `requirePermission`,
 * `requireAnyPermission`, `requireRole`, `requireCaller`, `requireKind`, `requireCheck`,
 * `requireUser`, `requireUserPermission` and `requireBoundToken`.
 */
// biome-ignore format: one statement names the nine guards
export const { requirePermission, requireAnyPermission, requireRole, requireCaller, requireKind, requireCheck, requireUser, requireUserPermission, requireBoundToken }: Guards = guards;
