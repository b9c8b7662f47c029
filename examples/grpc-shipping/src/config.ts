// The only module of this service that reads the environment. Every variable has a default that
// works on one machine (see README.md); the demo runner sets them all to free loopback ports.

export type AuthMode = 'self-signed' | 'token-service';

export interface ShippingConfig {
  readonly host: string;
  /** HTTP port of `/healthz` and `/metrics`. */
  readonly port: number;
  /** The gRPC port (plaintext, HTTP/2). */
  readonly grpcPort: number;
  /** `self-signed` (default): callers sign their own tokens. `token-service`: tokens come from the token service. */
  readonly mode: AuthMode;
  /** The audience of tokens meant for shipping (user and service tokens alike). */
  readonly audience: string;
  /** The user-facing login service: its user tokens may track a shipment. */
  readonly login: { readonly issuer: string; readonly jwksUri: string };
  /** The services that call shipping, by name, with their keys (self-signed mode). */
  readonly callers: readonly { readonly name: string; readonly jwksUri: string }[];
  readonly tokenService: { readonly issuer: string };
}

export function authModeOf(value: string | undefined): AuthMode {
  if (value === undefined || value === '' || value === 'self-signed') return 'self-signed';
  if (value === 'token-service') return 'token-service';
  throw new TypeError(`AUTH_MODE must be "self-signed" or "token-service", got "${value}"`);
}

function portOf(name: string, value: string | undefined, fallback: number): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TypeError(`${name}: invalid port "${value}"`);
  return port;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ShippingConfig {
  const ordersUrl = env.ORDERS_URL ?? 'http://127.0.0.1:3001';
  return {
    host: env.HOST ?? '127.0.0.1',
    port: portOf('PORT', env.PORT, 3005),
    grpcPort: portOf('GRPC_PORT', env.GRPC_PORT, 50051),
    mode: authModeOf(env.AUTH_MODE),
    audience: 'urn:shop:shipping',
    login: {
      issuer: env.LOGIN_ISSUER ?? 'login',
      jwksUri: env.LOGIN_JWKS_URL ?? 'http://127.0.0.1:3000/.well-known/jwks.json',
    },
    callers: [{ name: 'orders', jwksUri: `${ordersUrl}/.well-known/jwks.json` }],
    tokenService: { issuer: env.TOKEN_SERVICE_URL ?? 'http://127.0.0.1:3004' },
  };
}
