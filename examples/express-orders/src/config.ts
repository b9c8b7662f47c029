// The only module of this service that reads the environment. Every variable has a default that
// works on one machine (see README.md); the demo runner sets them all to free loopback ports.

export type AuthMode = 'self-signed' | 'token-service';

export interface OrdersConfig {
  readonly host: string;
  readonly port: number;
  /** `self-signed` (default): orders signs its own tokens. `token-service`: it gets them from the token service. */
  readonly mode: AuthMode;
  /** This service's name: `iss` and `sub` of its self-signed tokens, its OAuth client id. */
  readonly name: string;
  /** The audience of tokens meant for orders. */
  readonly audience: string;
  /** PEM private key (PKCS#8 or SEC1); `undefined`: a key is generated at start-up. */
  readonly signingKeyPem: string | undefined;
  /** The user-facing login service whose user tokens orders accepts. */
  readonly login: { readonly issuer: string; readonly jwksUri: string };
  readonly payments: { readonly url: string; readonly audience: string };
  readonly inventory: { readonly url: string; readonly audience: string };
  /** The shipping service, over gRPC: `host:port` (plaintext). */
  readonly shipping: { readonly address: string; readonly audience: string };
  /** The OAuth 2.0 token service (token-service mode only). */
  readonly tokenService: { readonly issuer: string; readonly clientSecret: string };
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

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): OrdersConfig {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: portOf(env.PORT, 3001),
    mode: authModeOf(env.AUTH_MODE),
    name: 'orders',
    audience: 'urn:shop:orders',
    signingKeyPem: env.ORDERS_PRIVATE_KEY || undefined,
    login: {
      issuer: env.LOGIN_ISSUER ?? 'login',
      jwksUri: env.LOGIN_JWKS_URL ?? 'http://127.0.0.1:3000/.well-known/jwks.json',
    },
    payments: { url: env.PAYMENTS_URL ?? 'http://127.0.0.1:3002', audience: 'urn:shop:payments' },
    inventory: { url: env.INVENTORY_URL ?? 'http://127.0.0.1:3003', audience: 'urn:shop:inventory' },
    shipping: { address: env.SHIPPING_GRPC_ADDRESS ?? '127.0.0.1:50051', audience: 'urn:shop:shipping' },
    tokenService: {
      issuer: env.TOKEN_SERVICE_URL ?? 'http://127.0.0.1:3004',
      // A development default, like the token service's; set your own outside a demo.
      clientSecret: env.ORDERS_CLIENT_SECRET ?? 'orders-dev-secret-change-me-0123456789',
    },
  };
}
