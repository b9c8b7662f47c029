import {
  requireAnyPermission,
  requirePermission,
  type ServiceAuthOptions,
  serviceAuth,
} from '@org/auth-fastify';
import Fastify, { type FastifyInstance } from 'fastify';

// Your custom claims, typed once for the whole application.
declare module '@org/auth-core' {
  interface AuthClaims {
    tenant?: string;
  }
}

/** Who this service trusts: tokens for audience `payments` from two callers. */
export const authOptions: ServiceAuthOptions = {
  issuers: [{ issuer: 'https://auth.internal', jwksUri: 'https://auth.internal/.well-known/jwks.json' }],
  audience: 'payments',
  services: { callers: ['orders', 'spiffe://prod/ns/billing/*'] },
};

export async function createApp(options: ServiceAuthOptions = authOptions): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(serviceAuth, options);

  app.get(
    '/payments',
    { preHandler: requireAnyPermission('payments:read', 'payments:admin') },
    async (request) => {
      return { caller: request.auth?.caller, tenant: request.auth?.claims.tenant ?? null };
    },
  );

  app.post('/payments', { preHandler: requirePermission('payments:create') }, async (request, reply) => {
    return reply.code(201).send({ createdBy: request.auth?.caller });
  });

  return app;
}

// await (await createApp()).listen({ port: 3000 });
