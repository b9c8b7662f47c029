import { createRequire } from 'node:module';
import {
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  type Metadata,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { TokenClient } from '@org/auth-client';
import { createGrpcAuthInterceptor } from '@org/auth-client/grpc';

/** A gRPC call's outcome, as orders lists it: `status` is the gRPC status code (0 is OK). */
export interface GrpcCallResult {
  readonly status: number;
  /** The answer, or for a refusal the stable code, description and challenge from the trailers. */
  readonly body: Record<string, unknown>;
}

export interface ShippingClient {
  createShipment(request: { order: string; item: string; quantity: number }): Promise<GrpcCallResult>;
  close(): void;
}

type UnaryMethod = (
  request: object,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: Record<string, unknown>) => void,
) => void;

/** The shipping service's contract, `shop.shipping.Shipping`, from its .proto (no generated code). */
function shippingClientConstructor(): ServiceClientConstructor {
  const proto = createRequire(import.meta.url).resolve('grpc-shipping/shipping.proto');
  const shop = loadPackageDefinition(loadSync(proto, { defaults: true })).shop as GrpcObject;
  return (shop.shipping as GrpcObject).Shipping as ServiceClientConstructor;
}

const trailer = (metadata: Metadata | undefined, key: string): string => {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : '';
};

/**
 * A client of the shipping service: every call carries a token for `audience` from orders' token
 * cache (the interceptor renews it once if shipping refuses it as invalid).
 */
export function createShippingClient(address: string, audience: string, tokens: TokenClient): ShippingClient {
  const Shipping = shippingClientConstructor();
  const client = new Shipping(address, credentials.createInsecure(), {
    interceptors: [createGrpcAuthInterceptor({ tokens, audience })],
  });
  const createShipment = client.CreateShipment as UnaryMethod;
  return {
    createShipment: (request) =>
      new Promise((resolve) => {
        createShipment.call(client, request, { deadline: Date.now() + 5000 }, (error, response) => {
          if (error === null) resolve({ status: 0, body: response ?? {} });
          else
            resolve({
              status: error.code,
              body: {
                code: trailer(error.metadata, 'auth-error-code') || undefined,
                error_description: error.details,
                challenge: trailer(error.metadata, 'www-authenticate') || undefined,
              },
            });
        });
      }),
    close: () => client.close(),
  };
}
