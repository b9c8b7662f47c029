// A Koa 3 receiver as the @org/auth-koa README writes one (with @koa/router). It trusts the
// caller's self-signed tokens through the public JWKS in JWKS_FILE, listens on a free loopback
// port and prints {"port": n} on stdout.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { type AuthenticatedState, requirePermission, serviceAuth } from '@org/auth-koa';
import Koa from 'koa';

const app = new Koa();
const router = new Router();
app.use(
  serviceAuth({
    issuers: [{ issuer: 'billing', jwks: JSON.parse(readFileSync(process.env.JWKS_FILE ?? '', 'utf8')) }],
    audience: 'orders',
    services: { callers: ['billing'] },
  }),
);
router.get('/orders', requirePermission('orders:read'), (ctx) => {
  const caller: string | undefined = ctx.state.auth?.caller; // ctx.state.auth is typed
  ctx.body = { caller };
});
router.post('/orders', requirePermission('orders:create'), (ctx) => {
  const { auth } = ctx.state as AuthenticatedState;
  ctx.status = 201;
  ctx.body = { createdBy: auth.caller };
});
app.use(router.routes()).use(router.allowedMethods());

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
