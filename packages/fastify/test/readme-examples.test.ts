import { defineReadmeExampleTests, type Running } from '@org/auth-conformance/helpers';
import Fastify, { type FastifyInstance } from 'fastify';
import { authOptions, createApp } from '../examples/readme-example.js';
import { createSignedApp } from '../examples/signed-requests.js';
import { serviceAuth } from '../src/index.js';

/** Listens on an ephemeral loopback port. */
async function serve(app: FastifyInstance): Promise<Running> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

defineReadmeExampleTests({
  testUrl: import.meta.url,
  readmeExample: {
    // Option errors make register() reject at boot.
    acceptProductionOptions: async () => {
      const app = Fastify();
      try {
        await app.register(serviceAuth, authOptions);
      } finally {
        await app.close();
      }
    },
    serve: async (options) => serve(await createApp(options)),
  },
  signedRequestsExample: { serve: async (secret) => serve(await createSignedApp(secret)) },
});
