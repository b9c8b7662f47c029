import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignedBody } from '../../src/adapter/index.js';
import { type Authenticator, isAuthError } from '../../src/index.js';

/** A loopback server that authenticates each request, reads its body and checks it like an adapter. */
export interface SignedRequestServer {
  readonly url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSignedRequestServer(authenticator: Authenticator): Promise<SignedRequestServer> {
  const server = createServer(async (req, res) => {
    try {
      const signedBody = new SignedBody();
      const auth = await authenticator.authenticate(req, { body: signedBody });
      const body = await readBody(req);
      signedBody.receive(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ auth: auth?.toJSON(), body: body.toString('utf8') }));
    } catch (error) {
      if (!isAuthError(error)) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(error.status, { ...error.headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(error.toJSON()));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
