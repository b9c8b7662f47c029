// orders accepts calls from billing, whose public keys are the jwks.json of `service-auth keygen`.
import { readFileSync } from 'node:fs';
import { serviceAuth } from '@org/auth-express';
import express, { type Express } from 'express';

export function createOrdersApp(jwksFile = process.env.BILLING_JWKS_FILE ?? 'jwks.json'): Express {
  const app = express();
  app.use(
    serviceAuth({
      // billing signs its own tokens: their iss is its bare name, checked with its public keys.
      // (When billing serves them: { issuer: 'billing', jwksUri: 'https://billing.internal/.well-known/jwks.json' }.)
      issuers: [{ issuer: 'billing', jwks: JSON.parse(readFileSync(jwksFile, 'utf8')) }],
      audience: 'orders', // this service: tokens minted for anyone else are refused
      services: { callers: ['billing'] }, // who may call orders at all
    }),
  );
  app.get('/orders/:id', (req, res) => {
    res.json({ id: req.params.id, caller: req.auth?.caller });
  });
  return app;
}

// createOrdersApp().listen(3001);
