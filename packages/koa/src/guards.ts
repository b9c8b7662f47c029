import { adaptGuards, type Guard, type GuardFactories } from '@org/auth-core';
import type { Middleware } from 'koa';
import { reject, verifierOf } from './service-auth.js';

/**
 * Turns any core guard into middleware. A request that `serviceAuth()` never saw answers 401
 * `missing_token`.
 *
 * @example router.get('/reports', fromGuard(myGuard), handler)
 */
export function fromGuard(guard: Guard): Middleware {
  return async (ctx, next) => {
    try {
      await guard(ctx.state.auth, ctx.req, verifierOf(ctx));
    } catch (error) {
      return reject(error, ctx);
    }
    await next();
  };
}

type Guards = GuardFactories<Middleware>;
const guards: Guards = adaptGuards(fromGuard);

// Route guards, made from the core's guards; each is documented on `GuardFactories` in @org/auth-core.
export const requirePermission: Guards['requirePermission'] = guards.requirePermission;
export const requireAnyPermission: Guards['requireAnyPermission'] = guards.requireAnyPermission;
export const requireRole: Guards['requireRole'] = guards.requireRole;
export const requireCaller: Guards['requireCaller'] = guards.requireCaller;
export const requireKind: Guards['requireKind'] = guards.requireKind;
export const requireCheck: Guards['requireCheck'] = guards.requireCheck;
