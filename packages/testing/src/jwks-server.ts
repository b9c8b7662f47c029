import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JsonWebKeySet } from './keys.js';
import { assertOptionKeys, optionNames } from './option-keys.js';
import type { TestIssuer } from './test-issuer.js';

/** Where a {@link JwksServer} reads its keys on every request. */
export type JwksSource = TestIssuer | JsonWebKeySet | (() => JsonWebKeySet);

/** Options of {@link startJwksServer}. */
export interface JwksServerOptions {
  /** Path of the JWKS. Default `'/.well-known/jwks.json'`. */
  readonly path?: string;
  /** `Cache-Control` of the JWKS response. Default `'no-store'`. */
  readonly cacheControl?: string;
}

/** What the server currently does with requests. */
export type JwksServerMode =
  | { readonly kind: 'up' }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'down' };

/** A running loopback JWKS server. Every method takes effect for the next request. */
export interface JwksServer {
  /** Origin of the server, e.g. `http://127.0.0.1:49152`. */
  readonly url: string;
  /** Full JWKS URL, e.g. `http://127.0.0.1:49152/.well-known/jwks.json`. */
  readonly jwksUri: string;
  /** Requests answered so far (any path, any outcome). */
  readonly requests: number;
  /** Serves these keys from now on instead of the source. */
  setKeys(jwks: JsonWebKeySet | (() => JsonWebKeySet)): void;
  /** Rotates the source issuer's key (only when started with a {@link TestIssuer}). */
  rotate(options?: { readonly dropPrevious?: boolean }): Promise<void>;
  /** Answers every request with this status (default 500) and an error body. */
  fail(status?: number): void;
  /** Resets every connection without an answer, as a crashed server would. */
  down(): void;
  /** Serves keys again after {@link JwksServer.fail} or {@link JwksServer.down}. */
  up(): void;
  /** Stops the server and closes every connection. */
  close(): Promise<void>;
}

function isIssuer(source: JwksSource): source is TestIssuer {
  return typeof source === 'object' && 'jwks' in source && typeof source.jwks === 'function';
}

/**
 * Starts a JWKS server on `127.0.0.1` with a free port, in one line.
 *
 * @example
 * ```ts
 * const issuer = await createTestIssuer();
 * const server = await startJwksServer(issuer);
 * // verifier: { issuer: issuer.issuer, jwksUri: server.jwksUri }
 * server.fail(500); // keys endpoint broken
 * await server.close();
 * ```
 */
export async function startJwksServer(
  source: JwksSource,
  options: JwksServerOptions = {},
): Promise<JwksServer> {
  assertOptionKeys(
    'startJwksServer',
    options,
    optionNames<JwksServerOptions>({ path: true, cacheControl: true }),
  );
  const path = options.path ?? '/.well-known/jwks.json';
  const cacheControl = options.cacheControl ?? 'no-store';
  let keys: () => JsonWebKeySet = isIssuer(source)
    ? () => source.jwks()
    : typeof source === 'function'
      ? source
      : () => source;
  let mode: JwksServerMode = { kind: 'up' };
  let requests = 0;
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    if (mode.kind === 'down') {
      req.socket.destroy();
      return;
    }
    if (mode.kind === 'status') {
      res.writeHead(mode.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error' }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== path) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': cacheControl });
    res.end(JSON.stringify(keys()));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    jwksUri: `${url}${path}`,
    get requests() {
      return requests;
    },
    setKeys(jwks) {
      keys = typeof jwks === 'function' ? jwks : () => jwks;
    },
    async rotate(rotateOptions = {}) {
      if (!isIssuer(source)) throw new TypeError('rotate() needs a server started with a TestIssuer');
      await source.rotate(rotateOptions);
    },
    fail(status = 500) {
      mode = { kind: 'status', status };
    },
    down() {
      mode = { kind: 'down' };
      for (const socket of sockets) socket.destroy();
    },
    up() {
      mode = { kind: 'up' };
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
