import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { apiKeys, echoBody, httpsOptions, listen, loadDocument, type Target } from '@org/auth-conformance';
import type express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import {
  allOf,
  anyOf,
  authErrorHandler,
  authorize,
  checkBody,
  requireAnyPermission,
  requireBoundToken,
  requireCaller,
  requireKind,
  requirePermission,
  requireRole,
  requireUser,
  requireUserPermission,
  serviceAuth,
  verifyBody,
} from '../src/index.js';

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
      api.use(serviceAuth(options));
      api.get('/whoami', handler);
      api.post('/orders', requirePermission('orders:create'), handler);
      api.get('/orders', requireAnyPermission('orders:read', 'orders:admin'), handler);
      api.get('/admin', requireRole('admin'), handler);
      api.get('/internal', requireCaller('orders', 'spiffe://prod/ns/billing/*'), handler);
      api.get('/service-only', requireKind('service'), handler);
      api.get('/user-required', requireUser(), handler);
      api.get('/user-orders', requireUserPermission('orders:read'), handler);
      api.get('/boom', boom);
      const loaded: RequestHandler = (req, res) => void res.json(echo(req.auth, req.resource));
      const document = { resource: (req: Request) => loadDocument(req.params.id) };
      api.get('/documents/:id', authorize('documents:read', document), loaded);
      api.post('/documents/:id', authorize('documents:write', document), loaded);

      const optional = createApp.Router();
      optional.use(serviceAuth({ verifier, optional: true }));
      optional.get('/whoami', handler);
      optional.post('/orders', requirePermission('orders:create'), handler);

      const delegated = createApp.Router();
      delegated.use(serviceAuth({ verifier, onError: 'forward' }));
      delegated.get('/whoami', handler);
      delegated.post('/orders', requirePermission('orders:create'), handler);
      delegated.get('/boom', boom);
      const onError: ErrorRequestHandler = (error, _req, res, _next) => {
        const { status, headers, body } = appError(error);
        res.status(status).set(headers).json(body);
      };
      delegated.use(onError);

      const any = createApp.Router();
      any.use(serviceAuth({ authenticator: anyOf(verifier, apiKeys) }));
      any.get('/whoami', handler);
      any.get('/orders', requirePermission('orders:read'), handler);
      const all = createApp.Router();
      all.use(serviceAuth({ authenticator: allOf(verifier, apiKeys) }));
      all.get('/whoami', handler);
      const signedRoutes = createApp.Router();
      const withBody: RequestHandler = (req, res) => void res.json(echoBody(req.auth, req.body));
      signedRoutes.use(
        serviceAuth({ authenticator: signed }),
        createApp.json({ verify: verifyBody }),
        checkBody(),
      );
      signedRoutes.get('/whoami', withBody);
      signedRoutes.post('/orders', requirePermission('orders:create'), withBody);
      signedRoutes.use(authErrorHandler());
      app.use('/signed', signedRoutes);
      for (const { prefix, authenticator } of groups) {
        const group = createApp.Router();
        group.use(serviceAuth({ authenticator }));
        group.get('/whoami', handler);
        group.get('/orders', requirePermission('orders:read'), handler);
        group.get('/internal', requireCaller('spiffe://prod/ns/billing/*'), handler);
        group.get('/bound', requireBoundToken(), handler);
        app.use(prefix, group);
      }
      app.use('/any', any);
      app.use('/all', all);
      app.use('/api', api);
      app.use('/optional', optional);
      app.use('/delegated', delegated);
      app.get('/open/guarded', requirePermission('orders:read'), handler);
      return listen(tls === undefined ? createServer(app) : createHttpsServer(httpsOptions(tls), app));
    },
  };
}
