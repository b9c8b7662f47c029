import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/**
 * A real JWKS server on loopback. `/flaky/jwks.json` serves `keys` while `flakyUp` is true and
 * answers 500 otherwise; `/down/jwks.json` always answers 500.
 */
export interface JwksServer {
  readonly url: string;
  flakyUp: boolean;
  /** Fetches per path. */
  readonly fetches: Map<string, number>;
  close(): Promise<void>;
}

export async function startJwksServer(keys: readonly JWK[]): Promise<JwksServer> {
  const fetches = new Map<string, number>();
  const state = { flakyUp: true };
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    fetches.set(path, (fetches.get(path) ?? 0) + 1);
    if (path === '/flaky/jwks.json' && state.flakyUp) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    } else {
      res.writeHead(500).end('unavailable');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    fetches,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
