import {
  type AuthenticatedRequest,
  requireAnyPermission,
  requirePermission,
  type ServiceAuthOptions,
  serviceAuth,
} from '@org/auth-express';
import express, { type ErrorRequestHandler, type Express } from 'express';

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

export function createApp(options: ServiceAuthOptions = authOptions): Express {
  const app = express();
  app.use(serviceAuth(options));

  app.get('/payments', requireAnyPermission('payments:read', 'payments:admin'), (req, res) => {
    res.json({ caller: req.auth?.caller, tenant: req.auth?.claims.tenant ?? null });
  });

  app.post('/payments', requirePermission('payments:create'), async (req, res) => {
    const { auth } = req as AuthenticatedRequest; // the guard let it through, so auth is set
    res.status(201).json({ createdBy: auth.caller });
  });

  // Rejections never get here: they are answered with the status, WWW-Authenticate and
  // { error, error_description, code }. Your own errors do, untouched.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    console.error(error);
    res.status(500).json({ error: 'internal_error' });
  };
  app.use(onError);
  return app;
}

// createApp().listen(3000);
