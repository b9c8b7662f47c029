import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Wiretap {
  readonly url: string;
  /** The bearer token of the last request that went through, as an eavesdropper would see it. */
  readonly lastToken: string | undefined;
  close(): Promise<void>;
}

/**
 * A transparent HTTP proxy between orders and payments that remembers the last bearer token it
 * saw. It plays an attacker on the network (or a leaky log), to show that a stolen token is only
 * good at the one service it was made for.
 */
export async function startWiretap(target: string): Promise<Wiretap> {
  let lastToken: string | undefined;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (match) lastToken = match[1];
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get lastToken() {
      return lastToken;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
