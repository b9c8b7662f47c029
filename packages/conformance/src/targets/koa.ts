import { createServer } from 'node:http';
import Router from '@koa/router';
import {
  requireAnyPermission,
  requireCaller,
  requireKind,
  requirePermission,
  requireRole,
  serviceAuth,
} from '@org/auth-koa';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import type { Target } from '../app-spec.js';
import { listen } from '../client.js';

/** Koa 3 and Koa 2 (same code; pass the module), with @koa/router. */
export function koaTarget(name: string, App: typeof Koa): Target {
  return {
    name,
    async start({ options, verifier, echo, appError }) {
      const app = new App();
      app.silent = true;
      const handler: Middleware = (ctx) => {
        ctx.body = echo(ctx.state.auth);
      };
      const boom: Middleware = () => {
        throw new Error('boom');
      };

      const api = new Router({ prefix: '/api' });
      api.use(serviceAuth(options));
      api.get('/whoami', handler);
      api.post('/orders', requirePermission('orders:create'), handler);
      api.get('/orders', requireAnyPermission('orders:read', 'orders:admin'), handler);
      api.get('/admin', requireRole('admin'), handler);
      api.get('/internal', requireCaller('orders', 'spiffe://prod/ns/billing/*'), handler);
      api.get('/service-only', requireKind('service'), handler);
      api.get('/boom', boom);

      const optional = new Router({ prefix: '/optional' });
      optional.use(serviceAuth({ verifier, optional: true }));
      optional.get('/whoami', handler);
      optional.post('/orders', requirePermission('orders:create'), handler);

      const delegated = new Router({ prefix: '/delegated' });
      delegated.use(async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          const { status, headers, body } = appError(error);
          ctx.status = status;
          ctx.set(headers);
          ctx.body = body;
        }
      });
      delegated.use(serviceAuth({ verifier, onError: 'throw' }));
      delegated.get('/whoami', handler);
      delegated.post('/orders', requirePermission('orders:create'), handler);
      delegated.get('/boom', boom);

      const open = new Router({ prefix: '/open' });
      open.get('/guarded', requirePermission('orders:read'), handler);

      for (const router of [api, optional, delegated, open]) app.use(router.routes());
      return listen(createServer(app.callback()));
    },
  };
}
