import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How the server answers every request:
 * - `ok`: the routed document (the JWKS on {@link JwksServer.jwksPath}), 404 elsewhere;
 * - `down`: drops the connection without answering (fetch rejects);
 * - `{ status }`: that HTTP status with a small JSON error body;
 * - `html`: 200 with an HTML page; `invalid-json`: 200 with broken JSON;
 * - `no-keys`: 200 with `{}`;
 * - `huge`: 200 with a 64 KiB JSON document and its Content-Length;
 * - `huge-chunked`: the same, chunked, without Content-Length;
 * - `{ slow: ms }`: the normal answer, headers and body, after `ms`;
 * - `{ slowBody: ms }`: headers at once, the body after `ms`.
 *
 * For connection refused, use {@link JwksServer.stop} (and {@link JwksServer.start} to recover).
 */
export type JwksServerMode =
  | 'ok'
  | 'down'
  | 'html'
  | 'invalid-json'
  | 'no-keys'
  | 'huge'
  | 'huge-chunked'
  | { readonly status: number }
  | { readonly slow: number }
  | { readonly slowBody: number };

/** A loopback HTTP server the test controls, serving a JWKS and any other JSON documents. */
export interface JwksServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly port: number;
  /** Path of the JWKS document: `/jwks`. */
  readonly jwksPath: string;
  /** `origin + jwksPath`. */
  readonly jwksUri: string;
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Serves `{ keys }` on the JWKS path. */
  setKeys(keys: readonly Readonly<Record<string, unknown>>[]): void;
  /** Serves `body` as JSON on `path` (200), or removes the route with `undefined` (404). */
  setJson(path: string, body: unknown): void;
  setMode(mode: JwksServerMode): void;
  /** Requests received on `path` (default: the JWKS path) since start or the last reset. */
  requests(path?: string): number;
  /** Every request path received, in order. */
  readonly log: readonly string[];
  resetCounts(): void;
  /** Stops listening and drops every connection: clients now get connection refused. */
  stop(): Promise<void>;
  /** Listens again on the same port after {@link JwksServer.stop}. */
  start(): Promise<void>;
  /** Stops for good: drops open sockets (pending slow answers included) and clears timers. */
  close(): Promise<void>;
}

const HUGE_BYTES = 64 * 1024;

/**
 * Starts a JWKS server on 127.0.0.1, port 0. Close it in `afterEach`/`afterAll`.
 *
 * @example
 * ```ts
 * const server = await startJwksServer();
 * server.setKeys([keys.publicJwk]);
 * createVerifier({ issuers: { issuer: ISSUER, jwksUri: server.jwksUri }, audience: AUDIENCE });
 * expect(server.requests()).toBe(1);
 * await server.close();
 * ```
 */
export async function startJwksServer(): Promise<JwksServer> {
  const jwksPath = '/jwks';
  const routes = new Map<string, unknown>([[jwksPath, { keys: [] }]]);
  const counts = new Map<string, number>();
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let mode: JwksServerMode = 'ok';

  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const answer = (path: string, res: ServerResponse) => {
    if (!routes.has(path)) {
      send(res, 404, 'application/json', '{"error":"not_found"}');
      return;
    }
    send(res, 200, 'application/json', JSON.stringify(routes.get(path)));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    log.push(path);
    const current = mode;
    if (current === 'ok') return answer(path, res);
    if (current === 'down') return void req.socket.destroy();
    if (current === 'html') return send(res, 200, 'text/html', '<!doctype html><h1>Maintenance</h1>');
    if (current === 'invalid-json') return send(res, 200, 'application/json', '{"keys": [');
    if (current === 'no-keys') return send(res, 200, 'application/json', '{}');
    if (current === 'huge' || current === 'huge-chunked') {
      const body = JSON.stringify({ ...(routes.get(path) as object), padding: 'x'.repeat(HUGE_BYTES) });
      if (current === 'huge') return send(res, 200, 'application/json', body);
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let at = 0; at < body.length; at += 4096) res.write(body.slice(at, at + 4096));
      return void res.end();
    }
    if ('status' in current) return send(res, current.status, 'application/json', '{"error":"failure"}');
    if ('slow' in current) return later(current.slow, () => answer(path, res));
    const body = JSON.stringify(routes.get(path) ?? {});
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.flushHeaders();
    later(current.slowBody, () => {
      if (!res.destroyed) res.end(body);
    });
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(0);
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    jwksPath,
    jwksUri: `${origin}${jwksPath}`,
    url: (path) => `${origin}${path}`,
    setKeys: (keys) => void routes.set(jwksPath, { keys }),
    setJson: (path, body) => void (body === undefined ? routes.delete(path) : routes.set(path, body)),
    setMode: (next) => {
      mode = next;
    },
    requests: (path = jwksPath) => counts.get(path) ?? 0,
    log,
    resetCounts: () => {
      counts.clear();
      log.length = 0;
    },
    stop,
    start: async () => {
      await listen(port);
    },
    close: stop,
  };
}
