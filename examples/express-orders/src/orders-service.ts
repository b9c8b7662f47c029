import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createAuthFetch,
  createClientCredentialsSource,
  createJwksHandler,
  createKeyRing,
  createSelfSignedSource,
  createTokenClient,
  importSigningKey,
  type TokenSource,
} from '@org/auth-client';
import {
  type AuthenticatedRequest,
  createVerifier,
  readiness,
  requirePermission,
  serviceAuth,
} from '@org/auth-express';
import express from 'express';
import type { OrdersConfig } from './config.js';
import { auditLog, type Logger } from './log.js';
import { serveMetrics } from './metrics.js';
import type { ShippingClient } from './shipping-client.js';

/** A call orders made to another service while handling a request. */
export interface DownstreamCall {
  readonly callee: string;
  readonly route: string;
  readonly status: number;
  readonly body: unknown;
}

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

/** What orders may do at each service it calls (self-signed mode: orders signs these itself). */
const PERMISSIONS_PER_CALLEE = (config: OrdersConfig): Record<string, string[]> => ({
  [config.payments.audience]: ['payments:charge'],
  [config.inventory.audience]: ['inventory:read', 'inventory:reserve'],
  [config.shipping.audience]: ['shipping:create'],
});

/** The orders service: `POST /orders` for users, which reserves stock and charges the payment. */
export async function startOrdersService(config: OrdersConfig, log: Logger): Promise<RunningService> {
  // --- Caller side: one token per callee, from orders' own key ring or from the token service. ---
  const ring = await createKeyRing(
    config.signingKeyPem === undefined ? {} : { current: await importSigningKey(config.signingKeyPem) },
  );
  let source: TokenSource;
  if (config.mode === 'token-service') {
    source = createClientCredentialsSource({
      issuer: config.tokenService.issuer,
      clientId: config.name,
      clientSecret: config.tokenService.clientSecret,
    });
  } else {
    const perCallee = new Map(
      Object.entries(PERMISSIONS_PER_CALLEE(config)).map(([audience, permissions]) => [
        audience,
        createSelfSignedSource({ issuer: config.name, key: ring, permissions }),
      ]),
    );
    source = {
      getToken: (request) => {
        const callee = perCallee.get(request.audience);
        if (callee === undefined) throw new Error(`orders does not call ${request.audience}`);
        return callee.getToken(request);
      },
    };
  }
  const tokens = createTokenClient({ source });
  // Shipping speaks gRPC: the same token cache, a token for shipping's audience on every call. Its
  // client (grpc-js and the .proto) loads once orders listens: start-up does not wait for it.
  let shipping: Promise<ShippingClient> | undefined;
  const shippingClient = () =>
    (shipping ??= import('./shipping-client.js').then(({ createShippingClient }) =>
      createShippingClient(config.shipping.address, config.shipping.audience, tokens),
    ));
  const authFetch = createAuthFetch({
    tokens,
    audience: {
      [config.payments.url]: config.payments.audience,
      [config.inventory.url]: config.inventory.audience,
    },
  });

  // --- Receiver side: user tokens from the login service, nothing else. ---
  const verifier = createVerifier({
    issuers: [{ issuer: config.login.issuer, jwksUri: config.login.jwksUri }],
    audience: config.audience,
    users: { issuers: [config.login.issuer] },
    services: false,
    onEvent: auditLog(log),
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());

  // Public: this service's keys, and its health (no token needed).
  app.get('/.well-known/jwks.json', createJwksHandler(ring));
  // Readiness: 503 until the keys of every trusted issuer are loaded (the probe starts the fetch).
  app.get('/healthz', readiness(verifier));
  // Prometheus metrics, the verifier's among them (see metrics.ts).
  app.get('/metrics', (req, res) => serveMetrics(req, res));

  // Everything below needs a valid token.
  app.use(serviceAuth({ verifier }));

  let nextOrder = 1;
  app.post('/orders', requirePermission('orders:create'), async (req, res) => {
    const { auth } = req as AuthenticatedRequest;
    const { item, quantity } = (req.body ?? {}) as { item?: unknown; quantity?: unknown };
    if (typeof item !== 'string' || !Number.isInteger(quantity) || (quantity as number) < 1) {
      res.status(400).json({ error: 'invalid_order', error_description: 'expected { item, quantity }' });
      return;
    }
    const order = `ord_${nextOrder++}`;
    // Each downstream call is listed in the answer, so the demo can show the whole chain.
    const calls: DownstreamCall[] = [];
    const stock = await call(calls, 'inventory', 'GET', `${config.inventory.url}/items`);
    const reservation =
      stock.status === 200
        ? await call(calls, 'inventory', 'POST', `${config.inventory.url}/reservations`, {
            order,
            item,
            quantity,
          })
        : undefined;
    const payment =
      reservation?.status === 201
        ? await call(calls, 'payments', 'POST', `${config.payments.url}/payments`, {
            order,
            amount: 1299 * (quantity as number),
          })
        : undefined;
    // The last hop is gRPC: its `status` is the gRPC status code, 0 when OK.
    const shipment =
      payment?.status === 201
        ? await (await shippingClient()).createShipment({ order, item, quantity: quantity as number })
        : undefined;
    if (shipment !== undefined) calls.push({ callee: 'shipping', route: 'gRPC CreateShipment', ...shipment });
    if (shipment?.status !== 0) {
      log('warn', 'order failed', {
        order,
        user: auth.subject,
        calls: calls.map((c) => `${c.route} ${c.status}`),
      });
      res.status(502).json({ error: 'downstream_failed', order, calls });
      return;
    }
    log('info', 'order placed', { order, user: auth.subject, item, quantity });
    res.status(201).json({ order, user: auth.subject, item, quantity, calls });
  });

  // Operators: rotate orders' signing key. The ring published `next` from the start, so
  // receivers already have it; from now on it signs, and the old key stays published until the
  // tokens it signed have expired.
  app.post('/admin/rotate-key', requirePermission('orders:admin'), async (_req, res) => {
    const before = ring.current.kid;
    await ring.rotate();
    tokens.clear(); // sign the next calls with the new key instead of waiting for the cache
    log('info', 'signing key rotated', { from: before, to: ring.current.kid });
    res.json({
      previous: before,
      current: ring.current.kid,
      published: ring.jwks().keys.map((key) => key.kid),
    });
  });

  // Operators: drop cached tokens (e.g. after the token service rotated its key).
  app.post('/admin/refresh-tokens', requirePermission('orders:admin'), (_req, res) => {
    tokens.clear();
    log('info', 'token cache cleared');
    res.json({ cleared: true });
  });

  async function call(
    calls: DownstreamCall[],
    callee: string,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<DownstreamCall> {
    const route = `${method} ${new URL(url).pathname}`;
    let result: DownstreamCall;
    try {
      const res = await authFetch(url, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      result = { callee, route, status: res.status, body: await res.json().catch(() => null) };
    } catch (error) {
      log('error', 'call failed', { callee, route, error: String(error) });
      result = { callee, route, status: 0, body: { error: String(error) } };
    }
    calls.push(result);
    return result;
  }

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  log('info', 'listening', { url, mode: config.mode, signingKid: ring.current.kid });
  shippingClient().catch((error: unknown) =>
    log('error', 'shipping client failed', { error: String(error) }),
  );

  // Fetch the login service's keys now; retry until it is up (health says "starting" meanwhile).
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
        void shipping?.then((client) => client.close());
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
