// The demo's own gRPC calls to the shipping service (step 8), with a user token from the login
// service in the `authorization` metadata, as a front end would send it.
import { createRequire } from 'node:module';
import {
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** A gRPC call's outcome: `status` is the gRPC status code (0 is OK). */
export interface GrpcAnswer {
  readonly status: number;
  /** The answer, or for a refusal the trailers' stable code (`code`) and the status details. */
  readonly body: Record<string, unknown>;
  /** The `www-authenticate` trailer of a refusal: the same challenge as over HTTP. */
  readonly challenge: string | null;
}

/** `OK`, `PERMISSION_DENIED`, ... for a gRPC status code. */
export function grpcStatusName(code: number): string {
  return status[code] ?? String(code);
}

type UnaryMethod = (
  request: object,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: Record<string, unknown>) => void,
) => void;

let Shipping: ServiceClientConstructor | undefined;

function shippingClientConstructor(): ServiceClientConstructor {
  if (Shipping === undefined) {
    const proto = createRequire(import.meta.url).resolve('grpc-shipping/shipping.proto');
    const shop = loadPackageDefinition(loadSync(proto, { defaults: true })).shop as GrpcObject;
    Shipping = (shop.shipping as GrpcObject).Shipping as ServiceClientConstructor;
  }
  return Shipping;
}

const trailer = (metadata: Metadata | undefined, key: string): string | undefined => {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
};

/** One unary call to shipping at `address` with `token`; never throws for a gRPC error status. */
export async function callShipping(
  address: string,
  method: 'CreateShipment' | 'GetShipment',
  request: object,
  token: string,
): Promise<GrpcAnswer> {
  const Client = shippingClientConstructor();
  const client = new Client(address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  try {
    return await new Promise((resolve) => {
      (client[method] as UnaryMethod).call(
        client,
        request,
        metadata,
        { deadline: Date.now() + 10_000 },
        (error, response) => {
          if (error === null) resolve({ status: status.OK, body: response ?? {}, challenge: null });
          else
            resolve({
              status: error.code,
              body: { code: trailer(error.metadata, 'auth-error-code'), error_description: error.details },
              challenge: trailer(error.metadata, 'www-authenticate') ?? null,
            });
        },
      );
    });
  } finally {
    client.close();
  }
}
