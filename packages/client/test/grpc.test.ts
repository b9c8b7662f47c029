import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type AuthError, createVerifier, isAuthError } from '@org/auth-core';
import { createTestCertificateAuthority } from '@org/auth-testing';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGrpcAuthInterceptor, createGrpcCallCredentials } from '../src/grpc/index.js';
import {
  AuthClientError,
  AuthConfigError,
  createSelfSignedSource,
  createTokenClient,
  generateSigningKey,
  type SigningKey,
  type TokenClient,
} from '../src/index.js';

type Message = Record<string, unknown>;
const serialize = (value: Message) => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Message;
const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/orders.Orders/${name}`,
  requestStream,
  responseStream,
  requestSerialize: serialize,
  requestDeserialize: deserialize,
  responseSerialize: serialize,
  responseDeserialize: deserialize,
});
const ordersService = {
  CreateOrder: method('CreateOrder', false, false),
  ListOrders: method('ListOrders', false, true),
  UploadOrders: method('UploadOrders', true, false),
  SyncOrders: method('SyncOrders', true, true),
} satisfies grpc.ServiceDefinition;
const OrdersClient = grpc.makeGenericClientConstructor(ordersService, 'Orders');
type Untyped = Record<
  string,
  (...args: unknown[]) => grpc.ClientUnaryCall & grpc.ClientDuplexStream<Message, Message>
>;

const DEADLINE_MS = 5_000;

let key: SigningKey;
let revoked: Set<string>;
let seen: string[];
let server: grpc.Server;
let address: string;

/** A bare grpc-js server that verifies tokens with the core and answers rejections with their challenge. */
async function startServer(credentials = grpc.ServerCredentials.createInsecure()): Promise<void> {
  const verifier = createVerifier({
    issuers: { issuer: 'billing', jwks: { keys: [key.publicJwk!] } },
    audience: 'orders',
    revocation: { isRevoked: ({ tokenId }) => tokenId !== undefined && revoked.has(tokenId) },
  });
  const authenticate = async (
    call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>,
  ) => {
    const authorization = call.metadata.get('authorization')[0];
    seen.push(String(authorization ?? ''));
    try {
      return await verifier.authenticate({ headers: { authorization: authorization as string | undefined } });
    } catch (error) {
      if (!isAuthError(error)) throw error;
      const metadata = new grpc.Metadata();
      const challenge = (error as AuthError).headers['WWW-Authenticate'];
      if (challenge !== undefined) metadata.set('www-authenticate', challenge);
      throw { code: grpc.status.UNAUTHENTICATED, details: error.description, metadata };
    }
  };
  server = new grpc.Server();
  server.addService(ordersService, {
    CreateOrder(call: grpc.ServerUnaryCall<Message, Message>, callback: grpc.sendUnaryData<Message>) {
      authenticate(call).then(
        (auth) => callback(null, { caller: auth?.caller ?? null, item: call.request.item ?? null }),
        (error) => callback(error),
      );
    },
    ListOrders(call: grpc.ServerWritableStream<Message, Message>) {
      authenticate(call).then(
        (auth) => {
          call.write({ caller: auth?.caller ?? null });
          call.write({ order: 2 });
          call.end();
        },
        (error) => call.emit('error', error),
      );
    },
    UploadOrders(call: grpc.ServerReadableStream<Message, Message>, callback: grpc.sendUnaryData<Message>) {
      authenticate(call).then(
        (auth) => {
          let count = 0;
          call.on('data', () => count++);
          call.on('end', () => callback(null, { caller: auth?.caller ?? null, count }));
        },
        (error) => callback(error),
      );
    },
    SyncOrders(call: grpc.ServerDuplexStream<Message, Message>) {
      authenticate(call).then(
        (auth) => {
          call.on('data', (message: Message) => call.write({ caller: auth?.caller ?? null, echo: message }));
          call.on('end', () => call.end());
        },
        (error) => call.emit('error', error),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  address = `127.0.0.1:${port}`;
}

beforeEach(async () => {
  key = await generateSigningKey();
  revoked = new Set();
  seen = [];
});

afterEach(() => {
  server?.forceShutdown();
});

function tokenClient(): TokenClient {
  return createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
}

interface Outcome {
  readonly code: grpc.status;
  readonly details: string;
  readonly messages: readonly Message[];
}

/** Calls `name` and reports how it ended; every wait is bounded by the call's deadline. */
function call(
  client: grpc.Client,
  name: keyof typeof ordersService,
  messages: readonly Message[] = [{}],
): Promise<Outcome> {
  const definition = ordersService[name];
  const fn = (client as unknown as Untyped)[name]!.bind(client);
  const options = { deadline: Date.now() + DEADLINE_MS };
  const received: Message[] = [];
  return new Promise((resolve) => {
    const keep = (error: unknown, value?: Message) => {
      if (error == null && value !== undefined) received.push(value);
    };
    const metadata = new grpc.Metadata();
    const started = definition.requestStream
      ? definition.responseStream
        ? fn(metadata, options)
        : fn(metadata, options, keep)
      : definition.responseStream
        ? fn(messages[0], metadata, options)
        : fn(messages[0], metadata, options, keep);
    if (definition.requestStream) {
      for (const message of messages) started.write(message);
      started.end();
    }
    if (definition.responseStream) {
      started.on('data', (message: Message) => received.push(message));
      started.on('error', () => {});
    }
    started.on('status', (status: grpc.StatusObject) =>
      resolve({ code: status.code, details: status.details, messages: received }),
    );
  });
}

describe('createGrpcAuthInterceptor', () => {
  beforeEach(() => startServer());

  const client = (
    tokens = tokenClient(),
    audience: Parameters<typeof createGrpcAuthInterceptor>[0]['audience'] = 'orders',
  ) =>
    new OrdersClient(address, grpc.credentials.createInsecure(), {
      interceptors: [createGrpcAuthInterceptor({ tokens, audience })],
    });

  it('attaches a cached token for the audience to every kind of call', async () => {
    const orders = client();
    expect(await call(orders, 'CreateOrder', [{ item: 'a' }])).toMatchObject({
      code: grpc.status.OK,
      messages: [{ caller: 'billing', item: 'a' }],
    });
    expect(await call(orders, 'ListOrders')).toMatchObject({
      code: grpc.status.OK,
      messages: [{ caller: 'billing' }, { order: 2 }],
    });
    expect(await call(orders, 'UploadOrders', [{}, {}])).toMatchObject({
      code: grpc.status.OK,
      messages: [{ caller: 'billing', count: 2 }],
    });
    expect(await call(orders, 'SyncOrders', [{ n: 1 }])).toMatchObject({
      code: grpc.status.OK,
      messages: [{ caller: 'billing', echo: { n: 1 } }],
    });
    expect(new Set(seen).size).toBe(1); // one token, from the cache, for all four calls
    expect(decodeJwt(seen[0]!.slice('Bearer '.length)).aud).toBe('orders');
    orders.close();
  });

  it.each(['CreateOrder', 'ListOrders'] as const)(
    '%s: a rejected token is retried once with a fresh one',
    async (name) => {
      const tokens = tokenClient();
      const stale = await tokens.getToken('orders');
      revoked.add(decodeJwt(stale).jti as string);
      const orders = client(tokens);
      const outcome = await call(orders, name);
      expect(outcome.code).toBe(grpc.status.OK);
      expect(outcome.messages[0]).toMatchObject({ caller: 'billing' });
      expect(seen).toHaveLength(2);
      expect(seen[0]).toBe(`Bearer ${stale}`);
      expect(seen[1]).not.toBe(seen[0]);
      orders.close();
    },
  );

  it('gives up after one retry, with the server’s status', async () => {
    const orders = client(tokenClient(), 'payments'); // tokens the server never accepts
    const outcome = await call(orders, 'CreateOrder');
    expect(outcome).toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: 'token not meant for this service',
    });
    expect(seen).toHaveLength(2);
    orders.close();
  });

  it('does not retry a streamed request, which it does not keep', async () => {
    const tokens = tokenClient();
    revoked.add(decodeJwt(await tokens.getToken('orders')).jti as string);
    const orders = client(tokens);
    expect(await call(orders, 'UploadOrders', [{}])).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(seen).toHaveLength(1);
    orders.close();
  });

  it('refuses a call to a service without audience, before anything is sent', async () => {
    const orders = client(tokenClient(), { 'billing.Ledger': 'ledger' });
    expect(await call(orders, 'CreateOrder')).toMatchObject({
      code: grpc.status.INTERNAL,
      details: 'no audience configured for orders.Orders',
    });
    expect(seen).toHaveLength(0);
    orders.close();
  });

  it('ends the call UNAVAILABLE when no token can be had', async () => {
    const failing = {
      getToken: () =>
        Promise.reject(new AuthClientError('token_endpoint_unavailable', 'token endpoint down')),
    };
    const orders = new OrdersClient(address, grpc.credentials.createInsecure(), {
      interceptors: [createGrpcAuthInterceptor({ tokens: failing, audience: 'orders' })],
    });
    expect(await call(orders, 'CreateOrder')).toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: 'no token for orders: token endpoint down',
    });
    orders.close();
  });

  it('checks its options when made', () => {
    const tokens = tokenClient();
    expect(() => createGrpcAuthInterceptor({ tokens, audience: 'orders', scop: 'x' } as never)).toThrow(
      AuthConfigError,
    );
    expect(() => createGrpcAuthInterceptor({ tokens, audience: '' })).toThrow(/^audience:/);
    expect(() => createGrpcAuthInterceptor({ tokens, audience: { '/orders.Orders': 'x' } })).toThrow(
      /full service names/,
    );
    expect(() => createGrpcAuthInterceptor({ tokens: {} as never, audience: 'orders' })).toThrow(/^tokens:/);
  });
});

describe('createGrpcCallCredentials', () => {
  it('attaches the token over TLS, the audience by service name', async () => {
    const ca = createTestCertificateAuthority();
    const leaf = ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    await startServer(
      grpc.ServerCredentials.createSsl(Buffer.from(ca.cert), [
        { cert_chain: Buffer.from(leaf.cert), private_key: Buffer.from(leaf.key) },
      ]),
    );
    const channel = grpc.credentials.combineChannelCredentials(
      grpc.credentials.createSsl(Buffer.from(ca.cert)),
      createGrpcCallCredentials({ tokens: tokenClient(), audience: { 'orders.Orders': 'orders' } }),
    );
    const orders = new OrdersClient(address, channel);
    expect(await call(orders, 'CreateOrder')).toMatchObject({
      code: grpc.status.OK,
      messages: [{ caller: 'billing' }],
    });
    expect(await call(orders, 'SyncOrders', [{}])).toMatchObject({ code: grpc.status.OK });
    orders.close();
    const unmapped = new OrdersClient(
      address,
      grpc.credentials.combineChannelCredentials(
        grpc.credentials.createSsl(Buffer.from(ca.cert)),
        createGrpcCallCredentials({ tokens: tokenClient(), audience: { 'billing.Ledger': 'ledger' } }),
      ),
    );
    const refused = await call(unmapped, 'CreateOrder');
    expect(refused.code).not.toBe(grpc.status.OK);
    expect(refused.details).toMatch(/no audience configured for orders.Orders/);
    unmapped.close();
  });
});

describe('the package root without grpc-js', () => {
  it('imports @grpc/grpc-js only from the grpc entry point', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    const importers = files.filter((file) =>
      /from '@grpc\/grpc-js'/.test(readFileSync(join(src, file), 'utf8')),
    );
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.every((file) => file.startsWith(`grpc${'/'}`))).toBe(true);
    const others = files.filter((file) => !file.startsWith('grpc/'));
    expect(
      others.filter((file) => /from '\.\.?\/(?:.*\/)?grpc\//.test(readFileSync(join(src, file), 'utf8'))),
    ).toEqual([]);
  });
});
