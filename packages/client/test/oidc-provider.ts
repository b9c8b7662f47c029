import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';

export const ORDERS = 'https://orders.internal';
export const CLIENT_SECRET = 'correct-horse-battery-staple-0123456789';

export interface AuthorizationServer {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** Token requests seen (grant bodies, for assertions on parameters). */
  readonly tokenRequests: number;
  close(): Promise<void>;
}

/**
 * A real OAuth 2.0 authorization server (oidc-provider) on loopback, configured for the client
 * credentials grant with resource indicators (RFC 8707) and JWT access tokens.
 */
export async function startAuthorizationServer(options: {
  readonly clientJwk: JWK;
}): Promise<AuthorizationServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const common = {
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: 'orders:read orders:write',
    // The server's only key is an EC key.
    id_token_signed_response_alg: 'ES256',
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        ...common,
        client_id: 'billing-basic',
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        ...common,
        client_id: 'billing-post',
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        ...common,
        client_id: 'billing-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: options.clientJwk.alg as string,
        jwks: { keys: [options.clientJwk] },
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'as-key-1', alg: 'ES256', use: 'sig' }] },
    scopes: ['orders:read', 'orders:write'],
    ttl: { ClientCredentials: 120 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => {
          if (resourceIndicator !== ORDERS) throw new errors.InvalidTarget();
          return {
            audience: ORDERS,
            scope: 'orders:read orders:write',
            accessTokenTTL: 120,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    // Mark the access tokens as service tokens, as @org/auth-core expects by default.
    extraTokenClaims: () => ({ source: 'microservice' }),
  });
  let tokenRequests = 0;
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/token')) tokenRequests += 1;
    callback(req, res);
  });
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    get tokenRequests() {
      return tokenRequests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
