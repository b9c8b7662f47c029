import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createHmacAuthenticator, requirePermission, serviceAuth, verifyBody } from '@org/auth-koa';
import Koa from 'koa';

export function createSignedApp(billingSecret: string): Koa {
  const app = new Koa();
  const router = new Router();
  const signed = createHmacAuthenticator({
    services: { billing: { secrets: [billingSecret], permissions: ['orders:create'] } },
    realm: 'orders',
  });
  app.use(serviceAuth({ authenticator: signed }));
  app.use(bodyParser()); // keeps ctx.request.rawBody
  app.use(verifyBody()); // a body other than the signed one is answered 401
  router.post('/orders', requirePermission('orders:create'), (ctx) => {
    ctx.status = 201;
    ctx.body = { createdBy: ctx.state.auth?.caller, order: ctx.request.body };
  });
  app.use(router.routes());
  return app;
}
