// The only module of this service that reads the environment. Every variable has a default that
// works on one machine (see README.md); the demo runner sets them all to free loopback ports.

export type AuthMode = 'self-signed' | 'token-service';

export interface InventoryConfig {
  readonly host: string;
  readonly port: number;
  /** `self-signed` (default): callers sign their own tokens. `token-service`: tokens come from the token service. */
  readonly mode: AuthMode;
  readonly name: string;
  /** The audience of tokens meant for inventory (user and service tokens alike). */
  readonly audience: string;
  /** PEM private key (PKCS#8 or SEC1); `undefined`: a key is generated at start-up. */
  readonly signingKeyPem: string | undefined;
  /** The user-facing login service: its user tokens may read the stock. */
  readonly login: { readonly issuer: string; readonly jwksUri: string };
  /** The services that call inventory, by name, with their keys (self-signed mode). */
  readonly callers: readonly { readonly name: string; readonly jwksUri: string }[];
  readonly tokenService: { readonly issuer: string };
  /** Units of each item in stock at start-up. */
  readonly initialStock: number;
}

export function authModeOf(value: string | undefined): AuthMode {
  if (value === undefined || value === '' || value === 'self-signed') return 'self-signed';
  if (value === 'token-service') return 'token-service';
  throw new TypeError(`AUTH_MODE must be "self-signed" or "token-service", got "${value}"`);
}

function integerOf(name: string, value: string | undefined, fallback: number, max: number): number {
  const number = Number(value ?? fallback);
  if (!Number.isInteger(number) || number < 0 || number > max)
    throw new TypeError(`${name}: invalid value "${value}"`);
  return number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  const ordersUrl = env.ORDERS_URL ?? 'http://127.0.0.1:3001';
  const paymentsUrl = env.PAYMENTS_URL ?? 'http://127.0.0.1:3002';
  return {
    host: env.HOST ?? '127.0.0.1',
    port: integerOf('PORT', env.PORT, 3003, 65_535),
    mode: authModeOf(env.AUTH_MODE),
    name: 'inventory',
    audience: 'urn:shop:inventory',
    signingKeyPem: env.INVENTORY_PRIVATE_KEY || undefined,
    login: {
      issuer: env.LOGIN_ISSUER ?? 'login',
      jwksUri: env.LOGIN_JWKS_URL ?? 'http://127.0.0.1:3000/.well-known/jwks.json',
    },
    callers: [
      { name: 'orders', jwksUri: `${ordersUrl}/.well-known/jwks.json` },
      { name: 'payments', jwksUri: `${paymentsUrl}/.well-known/jwks.json` },
    ],
    tokenService: { issuer: env.TOKEN_SERVICE_URL ?? 'http://127.0.0.1:3004' },
    initialStock: integerOf('INITIAL_STOCK', env.INITIAL_STOCK, 100_000, Number.MAX_SAFE_INTEGER),
  };
}
