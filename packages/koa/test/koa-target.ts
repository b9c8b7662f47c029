import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import {
  apiKeys,
  echoBody,
  guardedRoutes,
  httpsOptions,
  listen,
  loadDocument,
  type Target,
} from '@org/auth-conformance';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import * as auth from '../src/index.js';

/** Koa 3 and Koa 2 (same code; pass the module), with @koa/router. */
export function koaTarget(name: string, App: typeof Koa): Target {
  return {
    name,
    async start({ options, verifier, echo, appError, signed, groups, tls }) {
      const app = new App();
      app.silent = true;
      const handler: Middleware = (ctx) => {
        ctx.body = echo(ctx.state.auth);
      };
      const boom: Middleware = () => {
        throw new Error('boom');
      };

      const api = new Router({ prefix: '/api' });
      const authenticated = auth.serviceAuth(options);
      api.use(authenticated);
      api.get('/whoami', handler);
      for (const [method, path, guard] of guardedRoutes(auth)) api[method](path, guard, handler);
      api.get('/boom', boom);
      const loaded: Middleware = (ctx) => {
        ctx.body = echo(ctx.state.auth, ctx.state.resource);
      };
      const document = {
        resource: (ctx: Context) => loadDocument((ctx as { params?: { id?: string } }).params?.id),
      };
      api.get('/documents/:id', auth.authorize('documents:read', document), loaded);
      api.post('/documents/:id', authenticated.authorize('documents:write', document), loaded);

      const optional = new Router({ prefix: '/optional' });
      optional.use(auth.serviceAuth({ verifier, optional: true }));
      optional.get('/whoami', handler);
      optional.post('/orders', auth.requirePermission('orders:create'), handler);

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
      delegated.use(auth.serviceAuth({ verifier, onError: 'forward' }));
      delegated.get('/whoami', handler);
      delegated.post('/orders', auth.requirePermission('orders:create'), handler);
      delegated.get('/boom', boom);

      const open = new Router({ prefix: '/open' });
      open.get('/guarded', auth.requirePermission('orders:read'), handler);

      const any = new Router({ prefix: '/any' });
      any.use(auth.serviceAuth({ authenticator: auth.anyOf(verifier, apiKeys) }));
      any.get('/whoami', handler);
      any.get('/orders', auth.requirePermission('orders:read'), handler);
      const all = new Router({ prefix: '/all' });
      all.use(auth.serviceAuth({ authenticator: auth.allOf(verifier, apiKeys) }));
      all.get('/whoami', handler);
      const signedRoutes = new Router({ prefix: '/signed' });
      const withBody: Middleware = (ctx) => {
        ctx.body = echoBody(ctx.state.auth, ctx.request.body);
      };
      signedRoutes.use(auth.serviceAuth({ authenticator: signed }), bodyParser(), auth.verifyBody());
      signedRoutes.get('/whoami', withBody);
      signedRoutes.post('/orders', auth.requirePermission('orders:create'), withBody);
      app.use(signedRoutes.routes());
      for (const { prefix, authenticator } of groups) {
        const group = new Router({ prefix });
        group.use(auth.serviceAuth({ authenticator }));
        group.get('/whoami', handler);
        group.get('/orders', auth.requirePermission('orders:read'), handler);
        group.get('/internal', auth.requireCaller('spiffe://prod/ns/billing/*'), handler);
        group.get('/bound', auth.requireBoundToken(), handler);
        app.use(group.routes());
      }
      app.use(any.routes());
      app.use(all.routes());
      for (const router of [api, optional, delegated, open]) app.use(router.routes());
      const callback = app.callback();
      return listen(
        tls === undefined ? createServer(callback) : createHttpsServer(httpsOptions(tls), callback),
      );
    },
  };
}
