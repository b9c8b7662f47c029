import {
  authErrorHandler,
  checkBody,
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
  // The parser reports the raw body; checkBody() then refuses (401) a body other than the signed
  // one, reads one no parser took (up to maxBodyBytes), and fails closed on one consumed unseen.
  app.use(express.json({ verify: verifyBody }), checkBody());
  app.post('/orders', requirePermission('orders:create'), (req, res) => {
    res.status(201).json({ createdBy: req.auth?.caller, order: req.body });
  });
  app.use(authErrorHandler()); // renders the body check's AuthError like serviceAuth() does
  return app;
}
