import {
  expectBoundAuthorizeChecksPolicies,
  get,
  token,
  verifierOptions,
  withServer,
} from '@org/auth-conformance/helpers';
import { AuthConfigError, type AuthEvent, createVerifier } from '@org/auth-core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import express from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { requirePermission, serviceAuth } from '../src/index.js';

const echo: RequestHandler = (req, res) => void res.json({ auth: req.auth?.toJSON() ?? null });

describe('serviceAuth options', () => {
  it('validates adapter and core options when called, naming the option', () => {
    expect(() => serviceAuth({ ...verifierOptions(), onError: 'next' as 'forward' })).toThrow(
      AuthConfigError,
    );
    expect(() => serviceAuth({ ...verifierOptions(), onError: 'next' as 'forward' })).toThrow(/^onError:/);
    expect(() => serviceAuth({ ...verifierOptions(), optional: 'yes' as unknown as boolean })).toThrow(
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
    expect(() => requirePermission()).toThrow(TypeError);
  });
});

it('express 5: a rejected async handler after auth reaches the error handler, not a 401', async () => {
  const app = express();
  app.use(serviceAuth(verifierOptions()));
  app.get('/', async () => {
    await Promise.resolve();
    throw new Error('async boom');
  });
  await withServer(app, async (url) => {
    const response = await get(url, token());
    expect(response.status).toBe(500);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });
});

describe.each([
  ['express 5', express],
  ['express 4', express4],
])('%s', (_name, createApp) => {
  it('builds one verifier per serviceAuth() call, shared by every request', async () => {
    const events: AuthEvent[] = [];
    const app = createApp();
    app.use(serviceAuth(verifierOptions(events)));
    app.get('/', echo);
    const bearer = token();
    await withServer(app, async (url) => {
      expect((await get(url, bearer)).status).toBe(200);
      expect((await get(url, bearer)).status).toBe(200);
    });
    // The second request hit the verified-token cache of the same verifier.
    expect(events.map((event) => event.type === 'accepted' && event.cached)).toEqual([false, true]);
  });

  it('shares an existing verifier between middlewares', async () => {
    const events: AuthEvent[] = [];
    const verifier = createVerifier(verifierOptions(events));
    const app = createApp();
    app.get('/a', serviceAuth({ verifier }), echo);
    app.get('/b', serviceAuth({ verifier, optional: true }), echo);
    const bearer = token();
    await withServer(app, async (url) => {
      expect((await get(`${url}/a`, bearer)).status).toBe(200);
      expect((await get(`${url}/b`, bearer)).status).toBe(200);
      expect(await (await get(`${url}/b`)).json()).toEqual({ auth: null });
    });
    expect(events.filter((event) => event.type === 'accepted').map((event) => event.cached)).toEqual([
      false,
      true,
    ]);
  });

  it('works inside an express.Router() with async handlers', async () => {
    const app = createApp();
    const router = createApp.Router();
    router.use(serviceAuth(verifierOptions()));
    router.post('/orders', requirePermission('orders:create'), async (req, res) => {
      await Promise.resolve();
      res.status(201).json({ caller: req.auth?.caller });
    });
    app.use('/v1', router);
    await withServer(app, async (url) => {
      const created = await fetch(`${url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token({ permissions: ['orders:create'] })}` },
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ caller: 'orders' });
      const refused = await fetch(`${url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}` },
      });
      expect(refused.status).toBe(403);
    });
  });

  it("onError: 'forward' without an error handler: Express's own handler applies status and headers", async () => {
    const app = createApp();
    app.use(serviceAuth({ ...verifierOptions(), onError: 'forward' }));
    app.get('/', echo);
    await withServer(app, async (url) => {
      const response = await get(url, 'not-a-jwt');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="payments", error="invalid_token"/,
      );
    });
  });

  it('never turns an error thrown after authentication into a 401', async () => {
    const seen: unknown[] = [];
    const app = createApp();
    app.use(serviceAuth(verifierOptions()));
    app.get('/sync', () => {
      throw new Error('sync boom');
    });
    app.get('/async', async (_req, _res, next) => {
      // Express 4 does not catch rejected promises; hand the error on like an Express 4 app must.
      await Promise.resolve();
      next(new Error('async boom'));
    });
    app.use(((error, _req, res, _next) => {
      seen.push(error);
      res.status(500).json({ message: error.message });
    }) satisfies ErrorRequestHandler);
    await withServer(app, async (url) => {
      expect((await get(`${url}/sync`, token())).status).toBe(500);
      expect((await get(`${url}/async`, token())).status).toBe(500);
    });
    expect(seen.map((error) => (error as Error).message)).toEqual(['sync boom', 'async boom']);
  });
});
