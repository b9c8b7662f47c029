// billing calls orders with tokens it signs itself, with the private key of `service-auth keygen`.
import {
  createAuthFetch,
  createSelfSignedSource,
  createTokenClient,
  loadSigningKeyFromFile,
} from '@org/auth-client';

const ordersUrl = process.env.ORDERS_URL ?? 'http://127.0.0.1:3001';
// Keep private-key.pem with billing only; its kid is the key's thumbprint, as in jwks.json.
const key = await loadSigningKeyFromFile(process.env.BILLING_PRIVATE_KEY_FILE ?? 'private-key.pem');

// Tokens carry iss = sub = 'billing' (what orders trusts and allows) and aud = 'orders'.
const tokens = createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
const authFetch = createAuthFetch({ tokens, audience: { [ordersUrl]: 'orders' } });

const res = await authFetch(`${ordersUrl}/orders/42`); // Authorization: Bearer <token for orders>
console.log(res.status, await res.json());
