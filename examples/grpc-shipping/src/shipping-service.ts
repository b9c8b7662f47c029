import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type GrpcObject,
  type handleUnaryCall,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { IssuerOptions } from '@org/auth-core';
import {
  type AuthenticatedImplementation,
  createVerifier,
  requireAnyPermission,
  requireCaller,
  requirePermission,
  serviceAuth,
} from '@org/auth-grpc';
import type { ShippingConfig } from './config.js';
import { auditLog, type Logger } from './log.js';
import { serveMetrics } from './metrics.js';

export interface RunningService {
  /** `/healthz` and `/metrics`. */
  readonly url: string;
  /** The gRPC address, `host:port`. */
  readonly grpcAddress: string;
  close(): Promise<void>;
}

interface Shipment {
  shipment: string;
  order: string;
  status: string;
  servedTo: string;
  signedWith: string;
}
interface CreateShipmentRequest {
  order: string;
  item: string;
  quantity: number;
}

/** `shop.shipping.Shipping` from proto/shipping.proto, as @grpc/proto-loader reads it. */
function loadShippingService(): ServiceClientConstructor {
  const definition = loadSync(fileURLToPath(new URL('../proto/shipping.proto', import.meta.url)), {
    defaults: true,
  });
  const shop = loadPackageDefinition(definition).shop as GrpcObject;
  return (shop.shipping as GrpcObject).Shipping as ServiceClientConstructor;
}

/**
 * The shipping service over gRPC: `CreateShipment` for the orders service only, `GetShipment`
 * for users and services that may read shipments. Health and metrics over HTTP on another port.
 */
export async function startShippingService(config: ShippingConfig, log: Logger): Promise<RunningService> {
  const serviceIssuers: IssuerOptions[] =
    config.mode === 'token-service'
      ? [{ issuer: config.tokenService.issuer, discovery: true }]
      : config.callers.map((caller) => ({ issuer: caller.name, jwksUri: caller.jwksUri }));
  // The same rules as the HTTP services: service tokens only from the services' issuers, user
  // tokens only from the login service.
  const verifier = createVerifier({
    issuers: [...serviceIssuers, { issuer: config.login.issuer, jwksUri: config.login.jwksUri }],
    audience: config.audience,
    services: { issuers: serviceIssuers.map((issuer) => issuer.issuer) },
    users: { issuers: [config.login.issuer] },
    onEvent: auditLog(log),
  });
  const auth = serviceAuth({ verifier });

  const shipments = new Map<string, Shipment>();
  let nextShipment = 1;
  const shipping = {
    CreateShipment(call, callback) {
      const { order, item, quantity } = call.request;
      if (order === '' || item === '' || quantity < 1) {
        callback({ code: status.INVALID_ARGUMENT, details: 'expected { order, item, quantity }' });
        return;
      }
      const shipment: Shipment = {
        shipment: `shp_${nextShipment++}`,
        order,
        status: 'label created',
        servedTo: call.auth.caller ?? '',
        signedWith: call.auth.header.kid ?? '',
      };
      shipments.set(shipment.shipment, shipment);
      log('info', 'shipment created', { shipment: shipment.shipment, order, caller: call.auth.caller });
      callback(null, shipment);
    },
    GetShipment(call, callback) {
      const found = shipments.get(call.request.shipment);
      if (found === undefined) {
        callback({ code: status.NOT_FOUND, details: 'no such shipment' });
        return;
      }
      callback(null, { ...found, servedTo: call.auth.caller ?? call.auth.subject ?? '' });
    },
  } satisfies AuthenticatedImplementation<{
    CreateShipment: handleUnaryCall<CreateShipmentRequest, Shipment>;
    GetShipment: handleUnaryCall<{ shipment: string }, Shipment>;
  }>;

  const server = new Server();
  server.addService(
    loadShippingService().service,
    auth.protect(shipping, {
      // The permission first: a token without it is refused `insufficient_permission`, whoever sent it.
      CreateShipment: [requirePermission('shipping:create'), requireCaller('orders')],
      GetShipment: requireAnyPermission('shipping:read', 'shipping:create'),
    }),
  );
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${config.host}:${config.grpcPort}`,
      ServerCredentials.createInsecure(),
      (error, port) => (error ? reject(error) : resolve(port)),
    ),
  );
  const grpcAddress = `${config.host}:${grpcPort}`;

  // Readiness and metrics over plain HTTP, like the other services. Readiness: 503 until the keys
  // of every trusted issuer are loaded; a probe that finds none starts a fetch (its failure is in
  // `health()` and in the audit log).
  const http = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/healthz') {
      const health = verifier.health();
      if (!health.ready) verifier.ready().catch(() => {});
      response.writeHead(health.ready ? 200 : 503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...(health.ready ? {} : { 'retry-after': '1' }),
      });
      response.end(JSON.stringify(health));
    } else if (request.method === 'GET' && request.url === '/metrics') {
      serveMetrics(request, response);
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":"not_found"}');
    }
  });
  await new Promise<void>((resolve) => http.listen(config.port, config.host, resolve));
  const { port } = http.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  log('info', 'listening', { url, grpc: grpcAddress, mode: config.mode });

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
    grpcAddress,
    close: async () => {
      closed = true;
      // In-flight calls finish; then the HTTP side closes.
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await new Promise<void>((resolve, reject) => {
        http.close((error) => (error ? reject(error) : resolve()));
        http.closeIdleConnections();
      });
    },
  };
}
