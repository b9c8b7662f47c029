import {
  authErrorHandler,
  createHmacAuthenticator,
  requirePermission,
  serviceAuth,
  verifyBody,
} from '@org/auth-express';
import express, { type Express } from 'express';

export function createSignedApp(billingSecret: string): Express {
  const app = express();
  const signed = createHmacAuthenticator({
    services: { billing: { secrets: [billingSecret], permissions: ['orders:create'] } },
    realm: 'orders',
  });
  app.use(serviceAuth({ authenticator: signed }));
  // The body is hashed as the parser reads it; a body other than the signed one fails with 401.
  app.use(express.json({ verify: verifyBody }));
  app.post('/orders', requirePermission('orders:create'), (req, res) => {
    res.status(201).json({ createdBy: req.auth?.caller, order: req.body });
  });
  app.use(authErrorHandler()); // renders the body check's AuthError like serviceAuth() does
  return app;
}
