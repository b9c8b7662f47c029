import {
  apiKeys,
  echoBody,
  guardedRoutes,
  httpsOptions,
  loadDocument,
  type Running,
  type Target,
} from '@org/auth-conformance';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import * as auth from '../src/index.js';

/** Fastify 5: each prefix is an encapsulated context with its own registration. */
export function fastifyTarget(name: string): Target {
  return {
    name,
    async start({ options, verifier, echo, appError, signed, groups, tls }) {
      // The routes do not depend on the transport: type the HTTPS instance as the default one.
      const app =
        tls === undefined ? Fastify() : (Fastify({ https: httpsOptions(tls) }) as unknown as FastifyInstance);
      const handler = async (request: FastifyRequest) => echo(request.auth);
      const boom = async () => {
        throw new Error('boom');
      };

      await app.register(
        async (api) => {
          await api.register(auth.serviceAuth, options);
          api.get('/whoami', handler);
          for (const [method, path, guard] of guardedRoutes(auth))
            api[method](path, { preHandler: guard }, handler);
          api.get('/boom', boom);
          const loaded = async (request: FastifyRequest) => echo(request.auth, request.resource);
          const document = {
            resource: (request: FastifyRequest) => loadDocument((request.params as { id?: string }).id),
          };
          api.get('/documents/:id', { preHandler: auth.authorize('documents:read', document) }, loaded);
          api.post('/documents/:id', { preHandler: api.authorize('documents:write', document) }, loaded);
        },
        { prefix: '/api' },
      );
      await app.register(
        async (optional) => {
          await optional.register(auth.serviceAuth, { verifier, optional: true });
          optional.get('/whoami', handler);
          optional.post('/orders', { preHandler: auth.requirePermission('orders:create') }, handler);
        },
        { prefix: '/optional' },
      );
      await app.register(
        async (delegated) => {
          await delegated.register(auth.serviceAuth, { verifier, onError: 'forward' });
          delegated.setErrorHandler((error, _request, reply) => {
            const { status, headers, body } = appError(error);
            return reply.code(status).headers(headers).send(body);
          });
          delegated.get('/whoami', handler);
          delegated.post('/orders', { preHandler: auth.requirePermission('orders:create') }, handler);
          delegated.get('/boom', boom);
        },
        { prefix: '/delegated' },
      );
      await app.register(
        async (any) => {
          await any.register(auth.serviceAuth, { authenticator: auth.anyOf(verifier, apiKeys) });
          any.get('/whoami', handler);
          any.get('/orders', { preHandler: auth.requirePermission('orders:read') }, handler);
        },
        { prefix: '/any' },
      );
      await app.register(
        async (all) => {
          await all.register(auth.serviceAuth, { authenticator: auth.allOf(verifier, apiKeys) });
          all.get('/whoami', handler);
        },
        { prefix: '/all' },
      );
      await app.register(
        async (signedRoutes) => {
          await signedRoutes.register(auth.serviceAuth, { authenticator: signed });
          const withBody = async (request: FastifyRequest) => echoBody(request.auth, request.body);
          signedRoutes.get('/whoami', withBody);
          signedRoutes.post('/orders', { preHandler: auth.requirePermission('orders:create') }, withBody);
        },
        { prefix: '/signed' },
      );
      for (const { prefix, authenticator } of groups) {
        await app.register(
          async (group) => {
            await group.register(auth.serviceAuth, { authenticator });
            group.get('/whoami', handler);
            group.get('/orders', { preHandler: auth.requirePermission('orders:read') }, handler);
            group.get('/internal', { preHandler: auth.requireCaller('spiffe://prod/ns/billing/*') }, handler);
            group.get('/bound', { preHandler: auth.requireBoundToken() }, handler);
          },
          { prefix },
        );
      }
      app.get('/open/guarded', { preHandler: auth.requirePermission('orders:read') }, handler);

      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => app.close() } satisfies Running;
    },
  };
}
