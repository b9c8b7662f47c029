// Tokens from an OAuth 2.0 token service (client credentials grant), one per audience.
import { createClientCredentialsSource, createTokenClient } from '@org/auth-client';

const tokens = createTokenClient({
  source: createClientCredentialsSource({
    issuer: process.env.TOKEN_ISSUER ?? 'https://auth.example.com', // token endpoint found via metadata
    clientId: 'billing-basic',
    clientSecret: process.env.BILLING_CLIENT_SECRET ?? '', // client_secret_basic by default
    scope: 'orders:read',
  }),
});

const token = await tokens.getToken('https://orders.internal'); // sent as RFC 8707 `resource`
console.log('got a token of', token.split('.').length, 'parts'); // use it with axios, gRPC metadata, ...
