// A calling service ("billing") that calls "orders" with short-lived self-signed tokens.
import {
  createAuthFetch,
  createSelfSignedSource,
  createTokenClient,
  loadSigningKeyFromEnv,
} from '@org/auth-client';

const ordersUrl = process.env.ORDERS_URL ?? 'http://localhost:3001';
const key = await loadSigningKeyFromEnv('BILLING_PRIVATE_KEY'); // PEM or JWK, named explicitly

const tokens = createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
const authFetch = createAuthFetch({ tokens, audience: { [ordersUrl]: 'orders' } });

const res = await authFetch(`${ordersUrl}/orders/42`); // Authorization: Bearer <cached token>
console.log(res.status, await res.json());
