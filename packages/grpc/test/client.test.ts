import { credentials, makeGenericClientConstructor, status } from '@grpc/grpc-js';
import { createSelfSignedSource, createTokenClient, generateSigningKey } from '@org/auth-client';
import { createGrpcAuthInterceptor } from '@org/auth-client/grpc';
import type { AuthEvent } from '@org/auth-core';
import { describe, expect, it } from 'vitest';
import { requirePermission, serviceAuth } from '../src/index.js';
import { METHODS, ordersService, startServer } from './harness.js';
import { ordersImplementation } from './orders-service.js';

describe('@org/auth-client/grpc against this adapter', () => {
  it('attaches tokens to every kind of call, and renews a revoked one once', async () => {
    const key = await generateSigningKey();
    const revoked = new Set<string>();
    const events: AuthEvent[] = [];
    const auth = serviceAuth({
      issuers: [{ issuer: 'checkout', jwks: { keys: [key.publicJwk!] } }],
      audience: 'orders',
      revocation: { isRevoked: ({ tokenId }) => tokenId !== undefined && revoked.has(tokenId) },
      onEvent: (event) => events.push(event),
    });
    const server = await startServer(
      auth.protect(ordersImplementation(), { CreateOrder: requirePermission('orders:create') }),
    );
    const tokens = createTokenClient({
      source: createSelfSignedSource({ issuer: 'checkout', key, claims: { permissions: ['orders:create'] } }),
    });
    const Client = makeGenericClientConstructor(ordersService, 'Orders');
    const client = new Client(server.address, credentials.createInsecure(), {
      interceptors: [createGrpcAuthInterceptor({ tokens, audience: 'orders' })],
    });
    try {
      // The harness's client sends what it is given; this one adds the token itself.
      const call = (method: (typeof METHODS)[number]) =>
        new Promise<{ code: status; caller: unknown }>((resolve) => {
          const fn = (
            client as unknown as Record<
              string,
              (...args: unknown[]) => NodeJS.EventEmitter & { write?(m: object): void; end?(): void }
            >
          )[method]!.bind(client);
          const definition = ordersService[method];
          const options = { deadline: Date.now() + 5_000 };
          let caller: unknown;
          const keep = (_error: unknown, value?: { caller?: unknown }) => {
            caller ??= value?.caller;
          };
          const started = definition.requestStream
            ? definition.responseStream
              ? fn(options)
              : fn(options, keep)
            : definition.responseStream
              ? fn({}, options)
              : fn({}, options, keep);
          if (definition.responseStream)
            started.on('data', (value: { caller?: unknown }) => keep(null, value));
          if (definition.requestStream) {
            started.write?.({});
            started.end?.();
          }
          started.on('error', () => {});
          started.on('status', (answer: { code: status }) => resolve({ code: answer.code, caller }));
        });
      for (const method of METHODS)
        expect(await call(method)).toEqual({ code: status.OK, caller: 'checkout' });

      const stale = (await tokens.getToken('orders')).split('.')[1] ?? '';
      revoked.add(JSON.parse(Buffer.from(stale, 'base64url').toString()).jti);
      expect(await call('CreateOrder')).toEqual({ code: status.OK, caller: 'checkout' });
      const rejected = events.filter((event) => event.type === 'rejected');
      expect(rejected.map((event) => event.code)).toEqual(['token_revoked']);
    } finally {
      client.close();
      await server.close();
    }
  });
});
