// Publish a rotating key ring at /.well-known/jwks.json and sign with its current key.
import { createServer } from 'node:http';
import { createJwksHandler, createKeyRing, createSelfSignedSource } from '@org/auth-client';

const ring = await createKeyRing({ alg: 'ES256' }); // current + next keys, both published
const serveJwks = createJwksHandler(ring); // Cache-Control: public, max-age=300
const server = createServer((req, res) => {
  if (req.url === '/.well-known/jwks.json') return serveJwks(req, res);
  res.writeHead(404).end();
}).listen(0, '127.0.0.1');

const source = createSelfSignedSource({ issuer: 'billing', key: ring });
await source.getToken({ audience: 'orders' }); // signed by ring.current
await ring.rotate(); // next signs from now on; the old key stays published until its tokens expire
console.log('published keys:', ring.jwks().keys.length);
server.close();
