import type { AddressInfo } from 'node:net';
import {
  createAuthFetch,
  createClientCredentialsSource,
  createKeyRing,
  createSelfSignedSource,
  createTokenClient,
  importSigningKey,
  jwksResponse,
} from '@org/auth-client';
import type { IssuerOptions } from '@org/auth-core';
import { createVerifier, readiness, requirePermission, serviceAuth } from '@org/auth-fastify';
import Fastify from 'fastify';
import type { PaymentsConfig } from './config.js';
import { auditLog, type Logger } from './log.js';
import { serveMetrics } from './metrics.js';

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

/** The payments service: `POST /payments`, for the orders service only. */
export async function startPaymentsService(config: PaymentsConfig, log: Logger): Promise<RunningService> {
  const ring = await createKeyRing(
    config.signingKeyPem === undefined ? {} : { current: await importSigningKey(config.signingKeyPem) },
  );

  // Service tokens come from orders' own keys, or (token-service mode) from the token service.
  const serviceIssuer: IssuerOptions =
    config.mode === 'token-service'
      ? { issuer: config.tokenService.issuer, discovery: true }
      : { issuer: config.orders.name, jwksUri: config.orders.jwksUri };
  const verifier = createVerifier({
    issuers: [serviceIssuer, { issuer: config.login.issuer, jwksUri: config.login.jwksUri }],
    audience: config.audience,
    // Only service tokens, only from orders. The login issuer is trusted for nothing here; it is
    // listed so that a user token is refused as "not a service token" rather than "untrusted issuer".
    services: { issuers: [serviceIssuer.issuer], callers: [config.orders.name] },
    users: false,
    onEvent: auditLog(log),
  });

  const app = Fastify({ logger: false });
  app.get('/.well-known/jwks.json', (_request, reply) => {
    const { status, headers, body } = jwksResponse(ring);
    return reply.code(status).headers(headers).send(body);
  });
  // Readiness: 503 until the keys of every trusted issuer are loaded (the probe starts the fetch).
  app.get('/healthz', readiness(verifier));
  // Prometheus metrics, the verifier's among them (see metrics.ts).
  app.get('/metrics', (request, reply) => {
    reply.hijack();
    serveMetrics(request.raw, reply.raw);
  });

  let nextPayment = 1;
  await app.register(async (api) => {
    await api.register(serviceAuth, { verifier });
    api.post('/payments', { preHandler: requirePermission('payments:charge') }, async (request, reply) => {
      const { order, amount } = (request.body ?? {}) as { order?: unknown; amount?: unknown };
      if (typeof order !== 'string' || !Number.isInteger(amount)) {
        return reply
          .code(400)
          .send({ error: 'invalid_payment', error_description: 'expected { order, amount }' });
      }
      const payment = `pay_${nextPayment++}`;
      const auth = request.auth!;
      log('info', 'payment charged', { payment, order, amount, caller: auth.caller });
      // `signedWith` tells the demo which of the caller's keys signed the token (key rotation).
      return reply
        .code(201)
        .send({ payment, order, amount, caller: auth.caller, signedWith: auth.header.kid });
    });
  });

  if (config.demoRoutes) {
    // Demo only (PAYMENTS_DEMO_ROUTES=1): payments tries to reserve stock at inventory with its
    // own, perfectly valid token. Inventory lets only orders do that, so the answer is 403.
    const tokens = createTokenClient({
      source:
        config.mode === 'token-service'
          ? createClientCredentialsSource({
              issuer: config.tokenService.issuer,
              clientId: config.name,
              clientSecret: config.tokenService.clientSecret,
            })
          : createSelfSignedSource({ issuer: config.name, key: ring, permissions: ['inventory:read'] }),
    });
    const authFetch = createAuthFetch({
      tokens,
      audience: { [config.inventory.url]: config.inventory.audience },
    });
    app.post('/demo/reserve-inventory', async () => {
      const res = await authFetch(`${config.inventory.url}/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ order: 'not-an-order', item: 'widget', quantity: 1 }),
      });
      return { inventory: { status: res.status, body: await res.json().catch(() => null) } };
    });
  }

  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  log('info', 'listening', {
    url,
    mode: config.mode,
    signingKid: ring.current.kid,
    demoRoutes: config.demoRoutes,
  });

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
    close: async () => {
      closed = true;
      await app.close();
    },
  };
}
