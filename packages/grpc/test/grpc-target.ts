import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type StatusObject,
  status,
} from '@grpc/grpc-js';
import {
  type AppSpec,
  apiKeys,
  type Expectation,
  guardedRoutes,
  loadDocument,
  type Scenario,
} from '@org/auth-conformance';
import type { Authenticator } from '@org/auth-core';
import * as auth from '../src/index.js';

/**
 * The conformance app over gRPC: each HTTP route of `AppSpec` that means something without HTTP is
 * a unary method of a service per prefix (`/api` is `conformance.Api`), behind the same
 * `serviceAuth()` options and guards. Left out: `/signed` (HMAC), the DPoP groups, `/delegated`
 * (`onError: 'forward'`), `/open/guarded` (a guard without authentication) and `/api/boom`.
 */

type Message = Record<string, unknown>;
type Handler = (
  call: auth.GuardedCall & { request: Message },
  callback: (error: null, value: Message) => void,
) => void;
interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly guards: readonly auth.MethodGuard[];
  readonly handler?: Handler;
}

const serialize = (value: Message) => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): Message => JSON.parse(bytes.toString('utf8')) as Message;

/** The method name of a route: `GET /documents/:id` is `GET_documents_id`. */
function methodName(method: string, path: string): string {
  return `${method}${path.replaceAll(/[/:]+/g, '_')}`;
}

/** The route pattern of a concrete path of a prefix's routes (`/documents/d1` → `/documents/:id`). */
function patternOf(path: string): { pattern: string; id?: string } {
  const document = /^\/documents\/([^/]+)$/.exec(path);
  return document === null ? { pattern: path } : { pattern: '/documents/:id', id: document[1] as string };
}

const echoHandler =
  (spec: AppSpec): Handler =>
  (call, callback) =>
    callback(null, spec.echo(call.auth) as Message);

interface Prefix {
  readonly prefix: string;
  readonly service: string;
  readonly auth: auth.GrpcServiceAuth;
  readonly routes: readonly Route[];
}

function prefixes(spec: AppSpec): Prefix[] {
  const { options, verifier } = spec;
  const loaded: Handler = (call, callback) => callback(null, spec.echo(call.auth, call.resource) as Message);
  const document = {
    resource: (call: auth.GuardedCall & { request?: Message }) => loadDocument(call.request?.id),
  };
  const whoami: Route = { method: 'GET', path: '/whoami', guards: [] };
  const list: Prefix[] = [
    {
      prefix: '/api',
      service: 'Api',
      auth: auth.serviceAuth(options),
      routes: [
        whoami,
        ...guardedRoutes(auth).map(([method, path, guard]) => ({
          method: method.toUpperCase() as 'GET' | 'POST',
          path,
          guards: [guard],
        })),
        {
          method: 'GET',
          path: '/documents/:id',
          guards: [auth.authorize('documents:read', document)],
          handler: loaded,
        },
        {
          method: 'POST',
          path: '/documents/:id',
          guards: [auth.authorize('documents:write', document)],
          handler: loaded,
        },
      ],
    },
    {
      prefix: '/optional',
      service: 'Optional',
      auth: auth.serviceAuth({ verifier, optional: true }),
      routes: [
        whoami,
        { method: 'POST', path: '/orders', guards: [auth.requirePermission('orders:create')] },
      ],
    },
    {
      prefix: '/any',
      service: 'Any',
      auth: auth.serviceAuth({ authenticator: auth.anyOf(verifier, apiKeys) }),
      routes: [whoami, { method: 'GET', path: '/orders', guards: [auth.requirePermission('orders:read')] }],
    },
    {
      prefix: '/all',
      service: 'All',
      auth: auth.serviceAuth({ authenticator: auth.allOf(verifier, apiKeys) }),
      routes: [whoami],
    },
  ];
  for (const { prefix, authenticator } of spec.groups) {
    if (isHttpOnly(authenticator)) continue;
    list.push({
      prefix,
      service: `Group${list.length}`,
      auth: auth.serviceAuth({ authenticator }),
      routes: [
        whoami,
        { method: 'GET', path: '/orders', guards: [auth.requirePermission('orders:read')] },
        { method: 'GET', path: '/internal', guards: [auth.requireCaller('spiffe://prod/ns/billing/*')] },
        { method: 'GET', path: '/bound', guards: [auth.requireBoundToken()] },
      ],
    });
  }
  return list;
}

function isHttpOnly(authenticator: Authenticator): boolean {
  return authenticator.httpOnly !== undefined || authenticator.signsBodies === true;
}

function definitionOf(prefix: Prefix): ServiceDefinition {
  return Object.fromEntries(
    prefix.routes.map((route) => {
      const name = methodName(route.method, route.path);
      return [
        name,
        {
          path: `/conformance.${prefix.service}/${name}`,
          requestStream: false,
          responseStream: false,
          requestSerialize: serialize,
          requestDeserialize: deserialize,
          responseSerialize: serialize,
          responseDeserialize: deserialize,
        },
      ];
    }),
  );
}

/** How a call ended, in the words of the suite's expectations (HTTP status from the one mapping). */
export interface GrpcReply {
  readonly status: number;
  readonly wwwAuthenticate: string | null;
  readonly retryAfter: string | undefined;
  /** A rejection's body as the HTTP adapters send it, rebuilt from the status and its trailers. */
  readonly body: unknown;
}

// The HTTP status of each gRPC status this adapter answers with: GRPC_STATUS_OF_HTTP read backwards.
const HTTP_OF_GRPC = new Map<status, number>(
  Object.entries(auth.GRPC_STATUS_OF_HTTP).map(([http, grpc]) => [grpc, Number(http)]),
);

export interface GrpcApp {
  /** Sends `GET|POST <path>` as a call of its method, with `headers` as metadata; over TLS with `tls`. */
  send(
    method: string,
    path: string,
    headers: Readonly<Record<string, string>>,
    tls?: CallTls,
  ): Promise<GrpcReply>;
  close(): Promise<void>;
}

/** The client side of TLS for a call: the CA of the server, and the client certificate, if any. */
export interface CallTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

type RouteClient = Record<
  string,
  (...args: unknown[]) => { on(event: 'status', f: (s: StatusObject) => void): void }
> & {
  close(): void;
};

/**
 * Serves the conformance app over gRPC on two loopback ports with the same services: plaintext,
 * and TLS requiring client certificates of the spec's CA (`createSsl(ca, pairs, true)`).
 */
export async function startGrpcApp(spec: AppSpec): Promise<GrpcApp> {
  const all = prefixes(spec);
  const servers = [new Server(), new Server()] as const;
  for (const prefix of all) {
    const implementation: Record<string, Handler> = {};
    const guards: Record<string, readonly auth.MethodGuard[]> = {};
    for (const route of prefix.routes) {
      const name = methodName(route.method, route.path);
      implementation[name] = route.handler ?? echoHandler(spec);
      guards[name] = route.guards;
    }
    const protectedImplementation = prefix.auth.protect(implementation, guards);
    for (const server of servers) server.addService(definitionOf(prefix), protectedImplementation);
  }
  const bind = (server: Server, serverCredentials: ServerCredentials) =>
    new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', serverCredentials, (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
  const plainPort = await bind(servers[0], ServerCredentials.createInsecure());
  const { tls } = spec;
  const tlsPort =
    tls === undefined
      ? undefined
      : await bind(
          servers[1],
          ServerCredentials.createSsl(
            Buffer.from(tls.ca),
            [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
            true,
          ),
        );
  const clients = new Map<string, RouteClient>();
  const clientOf = (prefix: Prefix, callTls: CallTls | undefined): RouteClient => {
    const key = `${prefix.prefix} ${callTls?.cert ?? ''}`;
    let client = clients.get(key);
    if (client === undefined) {
      const Client = makeGenericClientConstructor(definitionOf(prefix), prefix.service);
      const channel =
        callTls === undefined
          ? credentials.createInsecure()
          : credentials.createSsl(
              Buffer.from(callTls.ca),
              callTls.key === undefined ? null : Buffer.from(callTls.key),
              callTls.cert === undefined ? null : Buffer.from(callTls.cert),
            );
      const port = callTls === undefined ? plainPort : tlsPort;
      client = new Client(`127.0.0.1:${port}`, channel) as unknown as RouteClient;
      clients.set(key, client);
    }
    return client;
  };
  return {
    send(method, path, headers, callTls) {
      const prefix = all.find((candidate) => path.startsWith(`${candidate.prefix}/`));
      if (prefix === undefined) throw new Error(`no gRPC service for ${path}`);
      const { pattern, id } = patternOf(path.slice(prefix.prefix.length));
      const name = methodName(method, pattern);
      const client = clientOf(prefix, callTls);
      const fn = client[name];
      if (fn === undefined) throw new Error(`no gRPC method for ${method} ${path}`);
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(headers)) metadata.set(key.toLowerCase(), value);
      return new Promise<GrpcReply>((resolve) => {
        let value: Message | undefined;
        const call = fn.call(
          client,
          id === undefined ? {} : { id },
          metadata,
          { deadline: Date.now() + 5_000 },
          (_error: unknown, answer?: Message) => {
            value = answer;
          },
        );
        call.on('status', (answer) => {
          const text = (key: string) => {
            const found = answer.metadata.get(key)[0];
            return typeof found === 'string' ? found : undefined;
          };
          const code = text('auth-error-code');
          resolve({
            status: answer.code === status.OK ? 200 : (HTTP_OF_GRPC.get(answer.code) ?? 500),
            wwwAuthenticate: text('www-authenticate') ?? null,
            retryAfter: text('retry-after'),
            body:
              answer.code === status.OK
                ? value
                : code === undefined
                  ? undefined
                  : { error: text('auth-error'), error_description: answer.details, code },
          });
        });
      });
    },
    async close() {
      for (const client of clients.values()) client.close();
      for (const server of servers) server.forceShutdown();
    },
  };
}

/**
 * Why a scenario does not apply over gRPC, or `undefined` when it does. `seesCertificates`: the
 * grpc-js under test shows calls their client certificate (1.14 and later).
 */
export function notOverGrpc(scenario: Scenario, seesCertificates: boolean): string | undefined {
  const { path, clientCertificate } = scenario;
  if (/^\/(signed|delegated|open|dpop)/.test(path) || path === '/api/boom') return 'an HTTP-only route';
  if (path.includes('?')) return 'a gRPC call has no query string';
  if (scenario.name === 'duplicated Authorization header')
    return 'a gRPC call carries one authorization value';
  if (scenario.credentials !== undefined) return 'DPoP proofs or signatures';
  if (clientCertificate === 'expired' || clientCertificate === 'untrusted') {
    return 'the TLS handshake refuses this certificate before any call, where HTTPS lets the app answer';
  }
  if (clientCertificate !== undefined && !seesCertificates) return 'grpc-js before 1.14 shows no certificate';
  return undefined;
}

export type { Expectation };
