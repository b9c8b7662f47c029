import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import {
  expectBoundAuthorizeChecksPolicies,
  get,
  token,
  verifierOptions,
  withServer,
} from '@org/auth-conformance/helpers';
import {
  AuthConfigError,
  type AuthEvent,
  createHmacAuthenticator,
  createVerifier,
  signRequest,
} from '@org/auth-core';
import Koa, { type Middleware } from 'koa';
import Koa2 from 'koa2';
import { describe, expect, it } from 'vitest';
import { requirePermission, serviceAuth } from '../src/index.js';

const echo: Middleware = (ctx) => {
  ctx.body = { auth: ctx.state.auth?.toJSON() ?? null };
};

describe('serviceAuth options', () => {
  it('validates adapter and core options when called, naming the option', () => {
    expect(() => serviceAuth({ ...verifierOptions(), onError: 'next' as 'forward' })).toThrow(
      AuthConfigError,
    );
    expect(() => serviceAuth({ ...verifierOptions(), onError: 'next' as 'forward' })).toThrow(/^onError:/);
    expect(() => serviceAuth({ ...verifierOptions(), optional: 1 as unknown as boolean })).toThrow(
      /^optional:/,
    );
    expect(() => serviceAuth({ ...verifierOptions(), audience: undefined as unknown as string })).toThrow(
      /audience/,
    );
    expect(() => serviceAuth({ verifier: {} as never })).toThrow(/^verifier: expected a Verifier/);
    const verifier = createVerifier(verifierOptions());
    expect(() => serviceAuth({ verifier, audience: 'x' } as never)).toThrow(
      /either a verifier or verifier options/,
    );
  });

  it('serviceAuth().authorize() refuses a route with no policies when it is declared', () => {
    const authenticated = serviceAuth(verifierOptions());
    expectBoundAuthorizeChecksPolicies((action, options) => authenticated.authorize(action, options));
  });

  it('validates guard arguments when the route is declared', () => {
    expect(() => requirePermission('orders:*')).toThrow(TypeError);
  });
});

describe.each([
  ['koa 3', Koa],
  ['koa 2', Koa2],
])('%s', (_name, App) => {
  function app(...middleware: Middleware[]): Koa {
    const koa = new App();
    koa.silent = true;
    for (const fn of middleware) koa.use(fn);
    return koa;
  }

  it('builds one verifier per serviceAuth() call, shared by every request', async () => {
    const events: AuthEvent[] = [];
    const bearer = token();
    await withServer(app(serviceAuth(verifierOptions(events)), echo).callback(), async (url) => {
      expect((await get(url, bearer)).status).toBe(200);
      expect((await get(url, bearer)).status).toBe(200);
    });
    expect(events.map((event) => event.type === 'accepted' && event.cached)).toEqual([false, true]);
  });

  it('shares an existing verifier between middlewares, per route with @koa/router', async () => {
    const events: AuthEvent[] = [];
    const verifier = createVerifier(verifierOptions(events));
    const router = new Router();
    router.get('/a', serviceAuth({ verifier }), echo);
    router.get('/b', serviceAuth({ verifier, optional: true }), echo);
    router.post('/orders', serviceAuth({ verifier }), requirePermission('orders:create'), echo);
    const bearer = token();
    const koa = app();
    koa.use(router.routes());
    await withServer(koa.callback(), async (url) => {
      expect((await get(`${url}/a`, bearer)).status).toBe(200);
      expect((await get(`${url}/b`, bearer)).status).toBe(200);
      expect(await (await get(`${url}/b`)).json()).toEqual({ auth: null });
      expect((await get(`${url}/a`)).status).toBe(401);
      const refused = await fetch(`${url}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}` },
      });
      expect(refused.status).toBe(403);
    });
    expect(events.filter((event) => event.type === 'accepted').map((event) => event.cached)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it("onError: 'forward' lets Koa's own handler render status, headers and the exposed message", async () => {
    await withServer(
      app(serviceAuth({ ...verifierOptions(), onError: 'forward' }), echo).callback(),
      async (url) => {
        const response = await get(url);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="payments"');
        expect(await response.text()).toBe('missing bearer token');
      },
    );
  });

  it('never turns an error thrown after authentication into a 401', async () => {
    const errors: unknown[] = [];
    const koa = app(serviceAuth(verifierOptions()), async () => {
      await Promise.resolve();
      throw new Error('boom');
    });
    koa.on('error', (error) => errors.push(error));
    await withServer(koa.callback(), async (url) => {
      const response = await get(url, token());
      expect(response.status).toBe(500);
      expect(response.headers.get('www-authenticate')).toBeNull();
    });
    expect((errors[0] as Error).message).toBe('boom');
  });
});

describe('mounted apps', () => {
  it('verifies a signed request against the target as sent, when a mount rewrote the path', async () => {
    const secret = randomBytes(32).toString('base64url');
    const app = new Koa();
    // What koa-mount does for app.use(mount('/api', inner)).
    app.use((ctx, next) => {
      ctx.path = ctx.path.replace(/^\/api/, '') || '/';
      return next();
    });
    app.use(
      serviceAuth({
        authenticator: createHmacAuthenticator({ services: { billing: { secrets: [secret] } } }),
      }),
    );
    app.use((ctx) => {
      ctx.body = { path: ctx.path, caller: ctx.state.auth?.caller };
    });
    await withServer(app.callback(), async (url) => {
      const target = `${url}/api/orders?page=2`;
      const response = await fetch(target, {
        headers: { authorization: signRequest({ keyId: 'billing', secret, url: target }) },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ path: '/orders', caller: 'billing' });
    });
  });
});
