import type {
  handleBidiStreamingCall,
  handleUnaryCall,
  ServerUnaryCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { AuthContext, Authenticator } from '@org/auth-core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuthenticatedCall,
  type AuthenticatedHandler,
  type AuthenticatedImplementation,
  type GrpcServiceAuth,
  type GuardedCall,
  type MethodGuard,
  requirePermission,
  type ServiceAuthOptions,
  serviceAuth,
} from '../src/index.js';

interface Order {
  id: string;
}

interface OrdersServer extends UntypedServiceImplementation {
  CreateOrder: handleUnaryCall<Order, Order>;
  SyncOrders: handleBidiStreamingCall<Order, Order>;
}

describe('types', () => {
  it('types call.auth in every method of an authenticated implementation, extra claims included', () => {
    const orders = {
      CreateOrder(call, callback) {
        expectTypeOf(call.auth).toEqualTypeOf<AuthContext<{ tenant: string }>>();
        expectTypeOf(call.auth.claims.tenant).toEqualTypeOf<string>();
        expectTypeOf(call.request).toEqualTypeOf<Order>();
        callback(null, { id: call.auth.caller ?? '' });
      },
      SyncOrders(call) {
        expectTypeOf(call.auth.caller).toEqualTypeOf<string | undefined>();
        call.on('data', (order: Order) => call.write(order));
      },
    } satisfies AuthenticatedImplementation<
      Pick<OrdersServer, 'CreateOrder' | 'SyncOrders'>,
      { tenant: string }
    >;
    expectTypeOf(
      serviceAuth({ issuers: [{ issuer: 'x', jwksUri: 'https://x/jwks' }], audience: 'y' }).protect(orders),
    ).toEqualTypeOf<UntypedServiceImplementation>();
  });

  it('gives one call and one handler type an auth context', () => {
    expectTypeOf<AuthenticatedCall<ServerUnaryCall<Order, Order>>['auth']>().toEqualTypeOf<AuthContext>();
    expectTypeOf<
      Parameters<AuthenticatedHandler<handleUnaryCall<Order, Order>>>[0]['auth']
    >().toEqualTypeOf<AuthContext>();
    expectTypeOf<GuardedCall['auth']>().toEqualTypeOf<AuthContext | undefined>();
  });

  it('keys guards by the implementation’s method names', () => {
    const auth: GrpcServiceAuth = serviceAuth({
      issuers: [{ issuer: 'x', jwksUri: 'https://x/jwks' }],
      audience: 'y',
    } satisfies ServiceAuthOptions);
    expectTypeOf(auth.authenticator).toEqualTypeOf<Authenticator>();
    expectTypeOf(requirePermission('orders:create')).toEqualTypeOf<MethodGuard>();
    const orders = { CreateOrder: (() => {}) as handleUnaryCall<Order, Order> };
    auth.protect(orders, { CreateOrder: [requirePermission('orders:create')] });
    // @ts-expect-error: no such method
    auth.protect(orders, { CreateOrdre: requirePermission('orders:create') });
  });
});
