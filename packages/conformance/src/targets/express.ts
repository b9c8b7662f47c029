import { createServer } from 'node:http';
import {
  requireAnyPermission,
  requireCaller,
  requireKind,
  requirePermission,
  requireRole,
  serviceAuth,
} from '@org/auth-express';
import type express from 'express';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Target } from '../app-spec.js';
import { listen } from '../client.js';

/** Express 5 and Express 4 (same code; pass the module). */
export function expressTarget(name: string, createApp: typeof express): Target {
  return {
    name,
    async start({ options, verifier, echo, appError }) {
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
      api.get('/boom', boom);

      const optional = createApp.Router();
      optional.use(serviceAuth({ verifier, optional: true }));
      optional.get('/whoami', handler);
      optional.post('/orders', requirePermission('orders:create'), handler);

      const delegated = createApp.Router();
      delegated.use(serviceAuth({ verifier, onError: 'next' }));
      delegated.get('/whoami', handler);
      delegated.post('/orders', requirePermission('orders:create'), handler);
      delegated.get('/boom', boom);
      const onError: ErrorRequestHandler = (error, _req, res, _next) => {
        const { status, headers, body } = appError(error);
        res.status(status).set(headers).json(body);
      };
      delegated.use(onError);

      app.use('/api', api);
      app.use('/optional', optional);
      app.use('/delegated', delegated);
      app.get('/open/guarded', requirePermission('orders:read'), handler);
      return listen(createServer(app));
    },
  };
}
