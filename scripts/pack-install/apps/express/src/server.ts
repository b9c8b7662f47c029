// An Express 5 receiver as the @org/auth-express README writes one. It trusts the caller's
// self-signed tokens through the public JWKS in JWKS_FILE, listens on a free loopback port and
// prints {"port": n} on stdout.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  type AuthenticatedRequest,
  requirePermission,
  type ServiceAuthOptions,
  serviceAuth,
} from '@org/auth-express';
import express from 'express';

// Custom claims, typed once (the README's "Typed access").
declare module '@org/auth-core' {
  interface AuthClaims {
    tenant?: string;
  }
}

const options: ServiceAuthOptions = {
  issuers: [{ issuer: 'billing', jwks: JSON.parse(readFileSync(process.env.JWKS_FILE ?? '', 'utf8')) }],
  audience: 'orders',
  services: { callers: ['billing'] },
};

const app = express();
app.use(serviceAuth(options));
app.get('/orders', requirePermission('orders:read'), (req, res) => {
  const caller: string | undefined = req.auth?.caller; // req.auth is typed on every request
  const tenant: string | undefined = req.auth?.claims.tenant;
  res.json({ caller, tenant: tenant ?? null });
});
app.post('/orders', requirePermission('orders:create'), (req, res) => {
  const { auth } = req as AuthenticatedRequest;
  res.status(201).json({ createdBy: auth.caller });
});

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
