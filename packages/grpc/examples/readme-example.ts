import {
  credentials,
  type handleClientStreamingCall,
  type handleUnaryCall,
  makeGenericClientConstructor,
  Server,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { TokenClient } from '@org/auth-client';
import { createGrpcAuthInterceptor } from '@org/auth-client/grpc';
import {
  type AuthenticatedImplementation,
  requireAnyPermission,
  requirePermission,
  type ServiceAuthOptions,
  serviceAuth,
} from '@org/auth-grpc';

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

// `payments.Payments` as @grpc/proto-loader gives it from a .proto file; JSON messages here.
export interface Payment {
  amount?: number;
  caller?: string | undefined;
  tenant?: string | null;
  count?: number;
}
const serialize = (value: Payment) => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): Payment => JSON.parse(bytes.toString());
const codec = {
  requestSerialize: serialize,
  requestDeserialize: deserialize,
  responseSerialize: serialize,
  responseDeserialize: deserialize,
};
export const paymentsService = {
  GetPayment: {
    path: '/payments.Payments/GetPayment',
    requestStream: false,
    responseStream: false,
    ...codec,
  },
  ImportPayments: {
    path: '/payments.Payments/ImportPayments',
    requestStream: true,
    responseStream: false,
    ...codec,
  },
} satisfies ServiceDefinition;

// The implementation; `call.auth` is the verified caller, typed (custom claims included).
const payments = {
  GetPayment(call, callback) {
    callback(null, { caller: call.auth.caller, tenant: call.auth.claims.tenant ?? null });
  },
  ImportPayments(call, callback) {
    let count = 0;
    call.on('data', () => count++);
    call.on('end', () => callback(null, { caller: call.auth.caller, count }));
  },
} satisfies AuthenticatedImplementation<{
  GetPayment: handleUnaryCall<Payment, Payment>;
  ImportPayments: handleClientStreamingCall<Payment, Payment>;
}>;

/** The server: one `serviceAuth()` (one verifier, one cache) for all of its services. */
export function createServer(options: ServiceAuthOptions = authOptions): Server {
  const auth = serviceAuth(options);
  const server = new Server();
  server.addService(
    paymentsService,
    auth.protect(payments, {
      GetPayment: requireAnyPermission('payments:read', 'payments:admin'),
      ImportPayments: requirePermission('payments:create'),
    }),
  );
  return server;
}

// The caller: a cached token for `payments` on every call, renewed and retried once if refused.
const PaymentsClient = makeGenericClientConstructor(paymentsService, 'Payments');

export function createPaymentsClient(address: string, tokens: TokenClient) {
  return new PaymentsClient(address, credentials.createInsecure(), {
    interceptors: [createGrpcAuthInterceptor({ tokens, audience: 'payments' })],
  });
}
