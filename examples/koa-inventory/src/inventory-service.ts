import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { createKeyRing, importSigningKey, jwksResponse } from '@org/auth-client';
import type { IssuerOptions } from '@org/auth-core';
import {
  type AuthenticatedState,
  createVerifier,
  readiness,
  requireCaller,
  requireKind,
  requirePermission,
  serviceAuth,
} from '@org/auth-koa';
import Koa from 'koa';
import type { InventoryConfig } from './config.js';
import { auditLog, type Logger } from './log.js';
import { serveMetrics } from './metrics.js';

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 64 * 1024)
      throw Object.assign(new Error('body too large'), { status: 413, expose: true });
  }
  try {
    const value: unknown = JSON.parse(text || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    throw Object.assign(new Error('invalid JSON'), { status: 400, expose: true });
  }
}

/**
 * The inventory service: `GET /items` for users (with `inventory:read`) and services alike, one
 * route for both kinds of token; `POST /reservations` for the orders service only.
 */
export async function startInventoryService(config: InventoryConfig, log: Logger): Promise<RunningService> {
  const ring = await createKeyRing(
    config.signingKeyPem === undefined ? {} : { current: await importSigningKey(config.signingKeyPem) },
  );

  const serviceIssuers: IssuerOptions[] =
    config.mode === 'token-service'
      ? [{ issuer: config.tokenService.issuer, discovery: true }]
      : config.callers.map((caller) => ({ issuer: caller.name, jwksUri: caller.jwksUri }));
  const verifier = createVerifier({
    issuers: [...serviceIssuers, { issuer: config.login.issuer, jwksUri: config.login.jwksUri }],
    audience: config.audience,
    // Each kind of token has its own rules: service tokens only from the services' issuers, user
    // tokens only from the login service. A token is a service token when it says
    // `source: "microservice"`, and it is checked against the service rules only.
    services: { issuers: serviceIssuers.map((issuer) => issuer.issuer) },
    users: { issuers: [config.login.issuer] },
    onEvent: auditLog(log),
  });
  const authenticate = serviceAuth({ verifier });

  const stock = new Map([
    ['widget', config.initialStock],
    ['gadget', config.initialStock],
  ]);
  let nextReservation = 1;

  const router = new Router<AuthenticatedState>();
  router.get('/.well-known/jwks.json', (ctx) => {
    const { status, headers, body } = jwksResponse(ring);
    ctx.status = status;
    ctx.set(headers);
    ctx.body = body;
  });
  // Readiness: 503 until the keys of every trusted issuer are loaded (the probe starts the fetch).
  router.get('/healthz', readiness(verifier));
  // Prometheus metrics, the verifier's among them (see metrics.ts).
  router.get('/metrics', (ctx) => {
    ctx.respond = false;
    serveMetrics(ctx.req, ctx.res);
  });

  // One route, two kinds of caller (a front-end user or another service): both need `inventory:read`.
  router.get('/items', authenticate, requirePermission('inventory:read'), (ctx) => {
    const { auth } = ctx.state;
    ctx.body = {
      items: [...stock].map(([item, available]) => ({ item, available })),
      servedTo: { kind: auth.kind, who: auth.caller ?? auth.subject },
    };
  });

  // Reserving stock is for the orders service only: a service token, from orders, with the permission.
  router.post(
    '/reservations',
    authenticate,
    requireKind('service'),
    requireCaller('orders'),
    requirePermission('inventory:reserve'),
    async (ctx) => {
      const { order, item, quantity } = await readJson(ctx.req);
      const available = typeof item === 'string' ? stock.get(item) : undefined;
      if (
        typeof order !== 'string' ||
        available === undefined ||
        !Number.isInteger(quantity) ||
        (quantity as number) < 1
      ) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_reservation', error_description: 'expected { order, item, quantity }' };
        return;
      }
      if (available < (quantity as number)) {
        ctx.status = 409;
        ctx.body = { error: 'out_of_stock', item, available };
        return;
      }
      stock.set(item as string, available - (quantity as number));
      const reservation = `res_${nextReservation++}`;
      log('info', 'stock reserved', { reservation, order, item, quantity, caller: ctx.state.auth.caller });
      ctx.status = 201;
      ctx.body = { reservation, order, item, quantity, signedWith: ctx.state.auth.header.kid };
    },
  );

  const app = new Koa();
  app.silent = true; // errors are answered to the client; our own log lines are JSON
  app.use(router.routes()).use(router.allowedMethods());

  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  log('info', 'listening', { url, mode: config.mode, signingKid: ring.current.kid });

  let closed = false;
  void (async () => {
    // Retry with back-off (250 ms, doubling, up to 1 s): the other services may start later.
    for (let delay = 250; !closed; delay = Math.min(delay * 2, 1000)) {
      try {
        await verifier.ready();
        log('info', 'verifier ready');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  })();

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closed = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
