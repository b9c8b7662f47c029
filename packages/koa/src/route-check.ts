import type { Authorizer } from '@org/auth-core/adapter';
import type { Context, Middleware } from 'koa';
import { reject } from './respond.js';

/** Route middleware around one check; `keep` stores what it resolves to as `ctx.state.resource`. */
export function routeCheck(check: (ctx: Context) => Promise<unknown>, keep: boolean): Middleware {
  return async (ctx, next) => {
    let value: unknown;
    try {
      value = await check(ctx);
    } catch (error) {
      return reject(error, ctx);
    }
    if (keep) ctx.state.resource = value;
    await next();
  };
}

/** Route middleware around a core authorizer; its resource becomes `ctx.state.resource`. */
export function authorizeRoute(check: Authorizer<Context>): Middleware {
  return routeCheck((ctx) => check(ctx.state.auth, ctx, ctx.req, ctx.state.authState?.authenticator), true);
}
