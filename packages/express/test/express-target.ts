import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  apiKeys,
  echoBody,
  guardedRoutes,
  httpsOptions,
  listen,
  loadDocument,
  type Target,
} from '@org/auth-conformance';
import type express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import * as auth from '../src/index.js';

/** Express 5 and Express 4 (same code; pass the module). */
export function expressTarget(name: string, createApp: typeof express): Target {
  return {
    name,
    async start({ options, verifier, echo, appError, signed, groups, tls }) {
      const app = createApp();
      const handler: RequestHandler = (req, res) => void res.json(echo(req.auth));
      const boom: RequestHandler = () => {
        throw new Error('boom');
      };

      const api = createApp.Router();
      const authenticated = auth.serviceAuth(options);
      api.use(authenticated);
      api.get('/whoami', handler);
      for (const [method, path, guard] of guardedRoutes(auth)) api[method](path, guard, handler);
      api.get('/boom', boom);
      const loaded: RequestHandler = (req, res) => void res.json(echo(req.auth, req.resource));
      const document = { resource: (req: Request) => loadDocument(req.params.id) };
      api.get('/documents/:id', auth.authorize('documents:read', document), loaded);
      api.post('/documents/:id', authenticated.authorize('documents:write', document), loaded);

      const optional = createApp.Router();
      optional.use(auth.serviceAuth({ verifier, optional: true }));
      optional.get('/whoami', handler);
      optional.post('/orders', auth.requirePermission('orders:create'), handler);

      const delegated = createApp.Router();
      delegated.use(auth.serviceAuth({ verifier, onError: 'forward' }));
      delegated.get('/whoami', handler);
      delegated.post('/orders', auth.requirePermission('orders:create'), handler);
      delegated.get('/boom', boom);
      const onError: ErrorRequestHandler = (error, _req, res, _next) => {
        const { status, headers, body } = appError(error);
        res.status(status).set(headers).json(body);
      };
      delegated.use(onError);

      const any = createApp.Router();
      any.use(auth.serviceAuth({ authenticator: auth.anyOf(verifier, apiKeys) }));
      any.get('/whoami', handler);
      any.get('/orders', auth.requirePermission('orders:read'), handler);
      const all = createApp.Router();
      all.use(auth.serviceAuth({ authenticator: auth.allOf(verifier, apiKeys) }));
      all.get('/whoami', handler);
      const signedRoutes = createApp.Router();
      const withBody: RequestHandler = (req, res) => void res.json(echoBody(req.auth, req.body));
      signedRoutes.use(
        auth.serviceAuth({ authenticator: signed }),
        createApp.json({ verify: auth.verifyBody }),
        auth.checkBody(),
      );
      signedRoutes.get('/whoami', withBody);
      signedRoutes.post('/orders', auth.requirePermission('orders:create'), withBody);
      signedRoutes.use(auth.authErrorHandler());
      app.use('/signed', signedRoutes);
      for (const { prefix, authenticator } of groups) {
        const group = createApp.Router();
        group.use(auth.serviceAuth({ authenticator }));
        group.get('/whoami', handler);
        group.get('/orders', auth.requirePermission('orders:read'), handler);
        group.get('/internal', auth.requireCaller('spiffe://prod/ns/billing/*'), handler);
        group.get('/bound', auth.requireBoundToken(), handler);
        app.use(prefix, group);
      }
      app.use('/any', any);
      app.use('/all', all);
      app.use('/api', api);
      app.use('/optional', optional);
      app.use('/delegated', delegated);
      app.get('/open/guarded', auth.requirePermission('orders:read'), handler);
      return listen(tls === undefined ? createServer(app) : createHttpsServer(httpsOptions(tls), app));
    },
  };
}
