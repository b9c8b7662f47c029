// The only module of this service that reads the environment. Every variable has a default that
// works on one machine (see README.md); the demo runner sets them all to free loopback ports.

export type AuthMode = 'self-signed' | 'token-service';

export interface PaymentsConfig {
  readonly host: string;
  readonly port: number;
  /** `self-signed` (default): callers sign their own tokens. `token-service`: tokens come from the token service. */
  readonly mode: AuthMode;
  /** This service's name: `iss` and `sub` of its self-signed tokens, its OAuth client id. */
  readonly name: string;
  /** The audience of tokens meant for payments. */
  readonly audience: string;
  /** PEM private key (PKCS#8 or SEC1); `undefined`: a key is generated at start-up. */
  readonly signingKeyPem: string | undefined;
  /** The login service: payments knows it only to recognise (and refuse) user tokens. */
  readonly login: { readonly issuer: string; readonly jwksUri: string };
  /** The orders service: its name (the only caller allowed) and its keys (self-signed mode). */
  readonly orders: { readonly name: string; readonly jwksUri: string };
  readonly inventory: { readonly url: string; readonly audience: string };
  readonly tokenService: { readonly issuer: string; readonly clientSecret: string };
  /** Serve `POST /demo/reserve-inventory` (off by default; the demo turns it on). */
  readonly demoRoutes: boolean;
}

export function authModeOf(value: string | undefined): AuthMode {
  if (value === undefined || value === '' || value === 'self-signed') return 'self-signed';
  if (value === 'token-service') return 'token-service';
  throw new TypeError(`AUTH_MODE must be "self-signed" or "token-service", got "${value}"`);
}

function portOf(value: string | undefined, fallback: number): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TypeError(`PORT: invalid port "${value}"`);
  return port;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  const ordersUrl = env.ORDERS_URL ?? 'http://127.0.0.1:3001';
  return {
    host: env.HOST ?? '127.0.0.1',
    port: portOf(env.PORT, 3002),
    mode: authModeOf(env.AUTH_MODE),
    name: 'payments',
    audience: 'urn:shop:payments',
    signingKeyPem: env.PAYMENTS_PRIVATE_KEY || undefined,
    login: {
      issuer: env.LOGIN_ISSUER ?? 'login',
      jwksUri: env.LOGIN_JWKS_URL ?? 'http://127.0.0.1:3000/.well-known/jwks.json',
    },
    orders: { name: 'orders', jwksUri: `${ordersUrl}/.well-known/jwks.json` },
    inventory: { url: env.INVENTORY_URL ?? 'http://127.0.0.1:3003', audience: 'urn:shop:inventory' },
    tokenService: {
      issuer: env.TOKEN_SERVICE_URL ?? 'http://127.0.0.1:3004',
      clientSecret: env.PAYMENTS_CLIENT_SECRET ?? 'payments-dev-secret-change-me-0123456789',
    },
    demoRoutes: env.PAYMENTS_DEMO_ROUTES === '1' || env.PAYMENTS_DEMO_ROUTES === 'true',
  };
}
