import { once } from 'node:events';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
// The test PKI of @org/auth-testing (a dev dependency: it does not depend on core, so no cycle).
import {
  createTestCertificateAuthority,
  type TestCertificate,
  type TestCertificateAuthority,
} from '@org/auth-testing';

export { createTestCertificateAuthority, type TestCertificate, type TestCertificateAuthority };

/** What the code under test made of one request: its result or what it threw. */
export type Outcome<T> =
  | { readonly value: T; readonly error?: never }
  | { readonly error: unknown; readonly value?: never };

/** A loopback server that hands every request to `handle` and reports the outcome to the caller. */
export interface TestServer<T> {
  /**
   * Sends one request on a new connection, presenting `client` when given, and resolves with
   * what `handle` returned or threw for it.
   */
  call(options?: {
    readonly client?: TestCertificate;
    readonly headers?: Record<string, string>;
  }): Promise<Outcome<T>>;
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface TestServerOptions {
  /** The CA the server trusts for client certificates; `false` for plain HTTP. */
  readonly ca: TestCertificateAuthority | false;
  /** Ask clients for a certificate. Default true. */
  readonly requestCert?: boolean;
}

const serverCa = createTestCertificateAuthority({ name: 'Server CA' });
const serverCert = serverCa.issue({ ipAddresses: ['127.0.0.1'], usage: 'server' });

/**
 * Starts a server on 127.0.0.1: HTTPS that asks for client certificates but lets unverified ones
 * through to the application (`rejectUnauthorized: false`, as services that answer with their
 * own 401 do), or plain HTTP.
 */
export async function startServer<T>(
  options: TestServerOptions,
  handle: (request: IncomingMessage) => Promise<T>,
): Promise<TestServer<T>> {
  const outcomes = new Map<string, Outcome<T>>();
  let sequence = 0;
  const listener = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const id = String(req.headers['x-call'] ?? '');
    handle(req)
      .then(
        (value) => outcomes.set(id, { value }),
        (error: unknown) => outcomes.set(id, { error }),
      )
      .finally(() => res.writeHead(204).end());
  };
  const server =
    options.ca === false
      ? createHttpServer(listener)
      : createHttpsServer(
          {
            cert: serverCert.cert,
            key: serverCert.key,
            ca: options.ca.cert,
            requestCert: options.requestCert ?? true,
            rejectUnauthorized: false,
          },
          listener,
        );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    async call({ client, headers = {} } = {}) {
      const id = String(++sequence);
      const common = {
        host: '127.0.0.1',
        port,
        path: '/',
        agent: false,
        headers: { ...headers, 'x-call': id },
      };
      const req =
        options.ca === false
          ? httpRequest(common)
          : httpsRequest({
              ...common,
              ca: serverCa.cert,
              ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
            });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      res.resume();
      await once(res, 'end');
      const outcome = outcomes.get(id);
      if (outcome === undefined) throw new Error('the server did not handle the request');
      outcomes.delete(id);
      return outcome;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
