import { createHmacAuthenticator, requirePermission, serviceAuth } from '@org/auth-fastify';
import Fastify, { type FastifyInstance } from 'fastify';

export async function createSignedApp(billingSecret: string): Promise<FastifyInstance> {
  const app = Fastify();
  const signed = createHmacAuthenticator({
    services: { billing: { secrets: [billingSecret], permissions: ['orders:create'] } },
    realm: 'orders',
  });
  // The plugin hashes signed bodies on their way to any content parser: nothing else to wire.
  await app.register(serviceAuth, { authenticator: signed });
  app.post('/orders', { preHandler: requirePermission('orders:create') }, async (request, reply) => {
    reply.code(201);
    return { createdBy: request.auth?.caller, order: request.body };
  });
  return app;
}
