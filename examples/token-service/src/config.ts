// The only module of this service that reads the environment. Every variable has a default that
// works on one machine (see README.md); the demo runner sets them all to free loopback ports.

export interface TokenServiceConfig {
  readonly host: string;
  readonly port: number;
  /** The issuer identifier (`iss`, discovery at `<issuer>/.well-known/openid-configuration`); its public URL. */
  readonly issuer: string | undefined;
  /** Lifetime of access tokens, in seconds. */
  readonly tokenTtl: number;
  /** Client secrets of the services (client_secret_basic). Development defaults; set your own. */
  readonly clientSecrets: Readonly<Record<string, string>>;
  /** The login service, whose operators (permission `keys:rotate`) may rotate the signing key. */
  readonly login: { readonly issuer: string; readonly jwksUri: string };
}

function integerOf(name: string, value: string | undefined, fallback: number, max: number): number {
  const number = Number(value ?? fallback);
  if (!Number.isInteger(number) || number < 0 || number > max)
    throw new TypeError(`${name}: invalid value "${value}"`);
  return number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TokenServiceConfig {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: integerOf('PORT', env.PORT, 3004, 65_535),
    issuer: env.TOKEN_SERVICE_URL || undefined,
    tokenTtl: integerOf('TOKEN_TTL', env.TOKEN_TTL, 300, 3600),
    clientSecrets: {
      orders: env.ORDERS_CLIENT_SECRET ?? 'orders-dev-secret-change-me-0123456789',
      payments: env.PAYMENTS_CLIENT_SECRET ?? 'payments-dev-secret-change-me-0123456789',
    },
    login: {
      issuer: env.LOGIN_ISSUER ?? 'login',
      jwksUri: env.LOGIN_JWKS_URL ?? 'http://127.0.0.1:3000/.well-known/jwks.json',
    },
  };
}
