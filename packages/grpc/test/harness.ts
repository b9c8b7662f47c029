import type * as Grpc from '@grpc/grpc-js';
import type { Metadata, ServiceDefinition, StatusObject } from '@grpc/grpc-js';
import * as grpc from '@grpc/grpc-js';

/** The message of every method: JSON, so that no .proto file is needed. */
export type Message = Record<string, unknown>;

const serialize = (value: Message): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): Message => JSON.parse(bytes.toString('utf8')) as Message;

function method(name: string, requestStream: boolean, responseStream: boolean) {
  return {
    path: `/orders.Orders/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}

/** `orders.Orders`: one method of each kind. */
export const ordersService = {
  CreateOrder: method('CreateOrder', false, false),
  ListOrders: method('ListOrders', false, true),
  UploadOrders: method('UploadOrders', true, false),
  SyncOrders: method('SyncOrders', true, true),
} satisfies ServiceDefinition;

export type MethodName = keyof typeof ordersService;
export const METHODS: readonly MethodName[] = ['CreateOrder', 'ListOrders', 'UploadOrders', 'SyncOrders'];

/** Which grpc-js this run tests: the vitest project for the oldest supported one aliases it. */
export const GRPC_JS_VERSION: string = (grpc as unknown as { version?: string }).version ?? 'current';
/** grpc-js 1.14 and later show the client certificate to calls (`call.getAuthContext()`). */
export const SEES_CERTIFICATES = process.env.GRPC_JS_LINE !== '1.10';

export interface ServerTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface ClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface RunningServer {
  readonly address: string;
  client(tls?: ClientTls): OrdersClient;
  close(): Promise<void>;
}

/** Serves `implementation` on an ephemeral loopback port, plaintext or TLS asking for client certificates. */
export async function startServer(
  implementation: Grpc.UntypedServiceImplementation,
  tls?: ServerTls,
  module: typeof Grpc = grpc,
): Promise<RunningServer> {
  const server = new module.Server();
  server.addService(ordersService, implementation);
  const credentials =
    tls === undefined
      ? module.ServerCredentials.createInsecure()
      : module.ServerCredentials.createSsl(
          Buffer.from(tls.ca),
          [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
          true,
        );
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  const address = `127.0.0.1:${port}`;
  const clients: OrdersClient[] = [];
  return {
    address,
    client(clientTls) {
      const client = new OrdersClient(module, address, clientTls);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      server.forceShutdown();
    },
  };
}

/** How a call ended: its status, the auth trailers, and the messages received. */
export interface Outcome {
  readonly code: Grpc.status;
  readonly details: string;
  /** `auth-error-code` trailer. */
  readonly authCode: string | undefined;
  /** `www-authenticate` trailer. */
  readonly challenge: string | undefined;
  readonly trailers: Metadata;
  readonly messages: readonly Message[];
}

// Every wait is bounded: a call that hangs fails with DEADLINE_EXCEEDED.
const DEADLINE_MS = 5_000;

type AnyCall = Grpc.ClientUnaryCall | Grpc.ClientReadableStream<Message> | Grpc.ClientWritableStream<Message>;
type Untyped = Record<string, (...args: unknown[]) => AnyCall>;

function text(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/** A generic client of `orders.Orders` that reports how each call ended. */
export class OrdersClient {
  readonly #client: Grpc.Client;
  readonly #module: typeof Grpc;

  constructor(module: typeof Grpc, address: string, tls?: ClientTls) {
    this.#module = module;
    const Client = module.makeGenericClientConstructor(ordersService, 'Orders');
    const credentials =
      tls === undefined
        ? module.credentials.createInsecure()
        : module.credentials.createSsl(
            Buffer.from(tls.ca),
            tls.key === undefined ? null : Buffer.from(tls.key),
            tls.cert === undefined ? null : Buffer.from(tls.cert),
          );
    this.#client = new Client(address, credentials);
  }

  /** Metadata with `authorization: Bearer <token>` (or the given entries). */
  metadata(entries: string | Readonly<Record<string, string | readonly string[]>> = {}): Metadata {
    const metadata = new this.#module.Metadata();
    const pairs = typeof entries === 'string' ? { authorization: `Bearer ${entries}` } : entries;
    for (const [key, value] of Object.entries(pairs)) {
      for (const one of typeof value === 'string' ? [value] : value) metadata.add(key, one);
    }
    return metadata;
  }

  /** Calls `method` with `messages` (one for unary and server-streaming methods). */
  call(
    method: MethodName,
    metadata: Metadata,
    messages: readonly Message[] = [{}],
    deadlineMs = DEADLINE_MS,
  ): Promise<Outcome> {
    const definition = ordersService[method];
    const client = this.#client as unknown as Untyped;
    const options = { deadline: Date.now() + deadlineMs };
    const received: Message[] = [];
    return new Promise<Outcome>((resolve) => {
      const done = (status: StatusObject) =>
        resolve({
          code: status.code,
          details: status.details,
          authCode: text(status.metadata, 'auth-error-code'),
          challenge: text(status.metadata, 'www-authenticate'),
          trailers: status.metadata,
          messages: received,
        });
      const collect = (error: unknown, value?: Message) => {
        if (error == null && value !== undefined) received.push(value);
      };
      const fn = client[method]?.bind(client);
      if (fn === undefined) throw new Error(`no method ${method}`);
      let call: AnyCall;
      if (!definition.requestStream) {
        call = definition.responseStream
          ? fn(messages[0], metadata, options)
          : fn(messages[0], metadata, options, collect);
      } else {
        call = definition.responseStream ? fn(metadata, options) : fn(metadata, options, collect);
        const writable = call as Grpc.ClientWritableStream<Message>;
        for (const message of messages) writable.write(message);
        writable.end();
      }
      if (definition.responseStream) {
        const readable = call as Grpc.ClientReadableStream<Message>;
        readable.on('data', (message: Message) => received.push(message));
        readable.on('error', () => {}); // the status says it all
      }
      call.on('status', done);
    });
  }

  close(): void {
    this.#client.close();
  }
}

/** How a call sent with {@link rawUnaryCall} ended: the gRPC status and the auth trailers. */
export interface RawOutcome {
  readonly code: number;
  readonly authCode: string | undefined;
}

/**
 * Sends one unary call of `orders.Orders/CreateOrder` over plain HTTP/2, with headers the grpc-js
 * client refuses to send (a tab in a value): what another gRPC client, or an attacker, can send.
 */
export async function rawUnaryCall(
  address: string,
  headers: Readonly<Record<string, string>>,
): Promise<RawOutcome> {
  const { connect } = await import('node:http2');
  const session = connect(`http://${address}`);
  try {
    return await new Promise<RawOutcome>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 5 s')), DEADLINE_MS);
      session.on('error', reject);
      const stream = session.request({
        ':method': 'POST',
        ':path': ordersService.CreateOrder.path,
        'content-type': 'application/grpc',
        te: 'trailers',
        ...headers,
      });
      const done = (fields: Record<string, unknown>) => {
        clearTimeout(timer);
        const authCode = fields['auth-error-code'];
        resolve({
          code: Number(fields['grpc-status']),
          authCode: typeof authCode === 'string' ? authCode : undefined,
        });
      };
      stream.on('response', (fields) => {
        if (fields['grpc-status'] !== undefined) done(fields); // trailers-only answer
      });
      stream.on('trailers', done);
      stream.on('error', reject);
      stream.resume();
      const body = Buffer.from('{}');
      const frame = Buffer.alloc(5 + body.length);
      frame.writeUInt32BE(body.length, 1);
      body.copy(frame, 5);
      stream.end(frame);
    });
  } finally {
    session.destroy();
  }
}
