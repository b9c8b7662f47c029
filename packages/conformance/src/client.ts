import { type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type Server as HttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A response as the suite compares it. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface Call {
  readonly method?: string;
  readonly path: string;
  /** Header values; an array sends the header several times (which `fetch` cannot do). */
  readonly headers?: Record<string, string | string[]>;
  /** The request body, sent as is. */
  readonly body?: string;
}

/** For HTTPS targets: the CA that signed the server's certificate, and the client certificate to present. */
export interface ClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Sends one request with `node:http`, on a fresh connection. */
export function send(
  baseUrl: string,
  { method = 'GET', path, headers = {}, body }: Call,
  tls?: ClientTls,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const secure = url.protocol === 'https:';
    const options = { method, headers, agent: false as const, ...(secure ? tls : {}) };
    const req = (secure ? httpsRequest : request)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A listening server, as targets return it. */
export interface Running {
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port, over HTTPS for an `https` server. */
export async function listen(server: Server | HttpsServer): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = 'setSecureContext' in server ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
