import { rejectionResponse } from '@org/auth-core/adapter';
import type { Context } from 'koa';

/** Answers a rejection as the request's `serviceAuth()` asked; anything else is rethrown. */
export function reject(error: unknown, ctx: Context): void {
  const response = rejectionResponse(error, ctx.state.authState);
  if (response === undefined) throw error;
  ctx.status = response.status;
  ctx.set({ ...response.headers });
  ctx.body = response.body;
}
