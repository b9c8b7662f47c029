// A Fastify 5 receiver as the @org/auth-fastify README writes one. It trusts the caller's
// self-signed tokens through the public JWKS in JWKS_FILE, listens on a free loopback port and
// prints {"port": n} on stdout.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { requirePermission, serviceAuth } from '@org/auth-fastify';
import Fastify from 'fastify';

const app = Fastify();
await app.register(serviceAuth, {
  issuers: [{ issuer: 'billing', jwks: JSON.parse(readFileSync(process.env.JWKS_FILE ?? '', 'utf8')) }],
  audience: 'orders',
  services: { callers: ['billing'] },
});
app.get('/orders', { preHandler: requirePermission('orders:read') }, async (request) => {
  const caller: string | undefined = request.auth?.caller; // request.auth is typed
  return { caller };
});
app.post('/orders', { preHandler: requirePermission('orders:create') }, async (request, reply) => {
  return reply.code(201).send({ createdBy: request.auth?.caller });
});

await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ port: (app.server.address() as AddressInfo).port }));
