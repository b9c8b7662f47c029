import {
  expectBoundAuthorizeChecksPolicies,
  get,
  ISSUER,
  token,
  verifierOptions,
} from '@org/auth-conformance/helpers';
import { AuthConfigError, type AuthEvent, createVerifier } from '@org/auth-core';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { requirePermission, type ServiceAuthOptions, serviceAuth } from '../src/index.js';

const echo = async (request: FastifyRequest) => ({ auth: request.auth?.toJSON() ?? null });
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(build: (app: FastifyInstance) => Promise<void> | void): Promise<string> {
  const app = Fastify();
  apps.push(app);
  await build(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('registration', () => {
  it.each([
    [{ ...verifierOptions(), onError: 'next' as 'forward' }, /^onError:/],
    [{ ...verifierOptions(), optional: 'yes' as unknown as boolean }, /^optional:/],
    [{ ...verifierOptions(), global: 0 as unknown as boolean }, /^global:/],
    [{ ...verifierOptions(), audience: undefined as unknown as string }, /audience/],
    [{ verifier: {} as never }, /^verifier: expected a Verifier/],
    [{ verifier: createVerifier(verifierOptions()), audience: 'x' } as never, /either a verifier/],
  ])('fails register() and ready() at boot for bad options (%#)', async (options, message) => {
    const app = Fastify();
    await expect(app.register(serviceAuth, options as ServiceAuthOptions)).rejects.toThrow(message);
    const other = Fastify();
    other.register(serviceAuth, options as ServiceAuthOptions);
    await expect(other.ready()).rejects.toThrow(AuthConfigError);
  });

  it("accepts Fastify's own register options (prefix, logLevel) beside ours", async () => {
    const url = await start(async (app) => {
      await app.register(serviceAuth, { ...verifierOptions(), prefix: '/api', logLevel: 'warn' });
      app.get('/who', echo);
    });
    const response = await get(`${url}/who`, token());
    expect(response.status).toBe(200);
  });

  it("reports configuration-looking rejections to the app's logger, once per cause", async () => {
    const lines: { level: number; msg: string }[] = [];
    const stream = { write: (line: string) => void lines.push(JSON.parse(line)) };
    const app = Fastify({ logger: { level: 'warn', stream } });
    apps.push(app);
    await app.register(serviceAuth, verifierOptions());
    app.get('/who', echo);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const foreign = token({ iss: 'https://elsewhere.test' });
    for (let i = 0; i < 5; i++) expect((await get(`${url}/who`, foreign)).status).toBe(401);
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((line) => line.msg)).toEqual([
      `untrusted issuer: iss is "https://elsewhere.test", expected "${ISSUER}"`,
    ]);
    expect(JSON.stringify(lines)).not.toContain(foreign.split('.')[2]);
  });

  it('decorates every request with auth = null until authenticated', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(serviceAuth, verifierOptions());
    expect(app.hasRequestDecorator('auth')).toBe(true);
    expect(app.hasDecorator('authenticate')).toBe(true);
  });

  it('app.authorize() refuses a route with no policies when it is declared', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(serviceAuth, verifierOptions());
    expectBoundAuthorizeChecksPolicies((action, options) => app.authorize(action, options));
  });

  it('validates guard arguments when the route is declared', () => {
    expect(() => requirePermission('orders:*')).toThrow(TypeError);
  });
});

describe('requests', () => {
  it('builds one verifier per registration, shared by every request', async () => {
    const events: AuthEvent[] = [];
    const url = await start(async (app) => {
      await app.register(serviceAuth, verifierOptions(events));
      app.get('/', echo);
    });
    const bearer = token();
    expect((await get(url, bearer)).status).toBe(200);
    expect((await get(url, bearer)).status).toBe(200);
    expect(events.map((event) => event.type === 'accepted' && event.cached)).toEqual([false, true]);
  });

  it('global: false authenticates only routes that ask, through app.authenticate', async () => {
    const events: AuthEvent[] = [];
    const verifier = createVerifier(verifierOptions(events));
    const url = await start(async (app) => {
      await app.register(serviceAuth, { verifier, global: false });
      app.get('/public', echo);
      app.get('/private', { onRequest: app.authenticate }, echo);
      app.post('/orders', { onRequest: [app.authenticate, requirePermission('orders:create')] }, echo);
    });
    expect(await (await get(`${url}/public`, 'anything')).json()).toEqual({ auth: null });
    expect((await get(`${url}/private`)).status).toBe(401);
    expect(await (await get(`${url}/private`, token())).json()).toMatchObject({ auth: { caller: 'orders' } });
    const refused = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token()}` },
    });
    expect(refused.status).toBe(403);
  });

  it('optional mode: no token goes on with auth null, a bad token is refused', async () => {
    const url = await start(async (app) => {
      await app.register(serviceAuth, { ...verifierOptions(), optional: true });
      app.get('/', echo);
    });
    expect(await (await get(url)).json()).toEqual({ auth: null });
    expect((await get(url, token({ aud: 'other' }))).status).toBe(401);
  });

  it("onError: 'forward' without an error handler: Fastify's default applies statusCode and headers", async () => {
    const url = await start(async (app) => {
      await app.register(serviceAuth, { ...verifierOptions(), onError: 'forward' });
      app.get('/', echo);
    });
    const response = await get(url, 'not-a-jwt');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="payments", error="invalid_token"/,
    );
    expect(await response.json()).toMatchObject({ statusCode: 401, code: 'unsupported_token' });
  });
});
