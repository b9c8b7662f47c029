import Router from '@koa/router';
import {
  type AuthenticatedState,
  requireAnyPermission,
  requirePermission,
  type ServiceAuthOptions,
  serviceAuth,
} from '@org/auth-koa';
import Koa from 'koa';

// Your custom claims, typed once for the whole application.
declare module '@org/auth-core' {
  interface AuthClaims {
    tenant?: string;
  }
}

/** Who this service trusts: tokens for audience `payments` from two callers. */
export const authOptions: ServiceAuthOptions = {
  issuers: [{ issuer: 'https://auth.internal', jwksUri: 'https://auth.internal/.well-known/jwks.json' }],
  audience: 'payments',
  services: { callers: ['orders', 'spiffe://prod/ns/billing/*'] },
};

export function createApp(options: ServiceAuthOptions = authOptions): Koa {
  const app = new Koa();
  const router = new Router();
  app.use(serviceAuth(options));

  router.get('/payments', requireAnyPermission('payments:read', 'payments:admin'), (ctx) => {
    ctx.body = { caller: ctx.state.auth?.caller, tenant: ctx.state.auth?.claims.tenant ?? null };
  });

  router.post('/payments', requirePermission('payments:create'), (ctx) => {
    const { auth } = ctx.state as AuthenticatedState; // the guard let it through, so auth is set
    ctx.status = 201;
    ctx.body = { createdBy: auth.caller };
  });

  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

// createApp().listen(3000);
