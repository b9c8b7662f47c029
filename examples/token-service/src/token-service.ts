import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeyRing, type KeyRing } from '@org/auth-client';
import { createVerifier, isAuthError, requirePermission } from '@org/auth-core';
import Provider, { errors } from 'oidc-provider';
import type { TokenServiceConfig } from './config.js';
import { auditLog, type Logger } from './log.js';
import { serveMetrics } from './metrics.js';
import { permissionsFor, RESOURCES } from './policy.js';

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

interface TokenLike {
  readonly clientId?: string;
  readonly resourceServer?: { readonly identifier?: () => string; readonly audience?: string };
}

/**
 * An OAuth 2.0 authorization server (oidc-provider) for service tokens: the client credentials
 * grant (RFC 6749 §4.4), one JWT access token per resource (RFC 8707 resource indicators) with
 * `source: "microservice"` and the client's permissions at that resource.
 */
export async function startTokenService(config: TokenServiceConfig, log: Logger): Promise<RunningService> {
  const ring = await createKeyRing({ alg: 'ES256' });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  const issuer = config.issuer ?? url;
  const cookieKeys = [randomBytes(32).toString('hex')];

  function buildProvider(keys: KeyRing): Provider {
    // Every published key (next, current, previous) is in the key set, so discovery's jwks_uri
    // publishes the next key before it signs; `kid` picks the current one for signing.
    const jwks = keys.publishedKeys().map((key) => ({
      ...key.privateKey.export({ format: 'jwk' }),
      kid: key.kid,
      alg: key.alg,
      use: 'sig',
    }));
    const signingKid = keys.current.kid;
    const provider = new Provider(issuer, {
      clients: Object.entries(config.clientSecrets).map(([clientId, secret]) => ({
        client_id: clientId,
        client_secret: secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: 'ES256', // the only keys are EC keys
      })),
      jwks: { keys: jwks },
      cookies: { keys: cookieKeys },
      ttl: { ClientCredentials: config.tokenTtl },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => undefined,
          useGrantedResource: () => true,
          getResourceServerInfo: (ctx: { oidc: { client?: { clientId: string } } }, resource: string) => {
            const clientId = ctx.oidc.client?.clientId ?? '';
            const permissions = permissionsFor(clientId, resource);
            if (RESOURCES[resource] === undefined || permissions.length === 0) {
              throw new errors.InvalidTarget(`${clientId} may not call ${resource}`);
            }
            return {
              audience: resource,
              scope: permissions.join(' '),
              accessTokenTTL: config.tokenTtl,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'ES256', kid: signingKid } },
            };
          },
        },
      },
      // Mark access tokens as service tokens and list what the client may do at that resource.
      extraTokenClaims: (_ctx: unknown, token: TokenLike) => {
        const resource = token.resourceServer?.audience ?? '';
        return { source: 'microservice', permissions: permissionsFor(token.clientId ?? '', resource) };
      },
    });
    provider.on('grant.success', (ctx: unknown) => {
      const { oidc } = ctx as { oidc: { client?: { clientId: string }; params?: { resource?: unknown } } };
      log('info', 'token issued', {
        client: oidc.client?.clientId,
        resource: oidc.params?.resource,
        kid: signingKid,
      });
    });
    provider.on('grant.error', (_ctx: unknown, error: unknown) => {
      log('warn', 'token refused', { error: (error as { error?: string }).error ?? String(error) });
    });
    provider.on('server_error', (_ctx: unknown, error: unknown) => {
      log('error', 'server error', { error: String(error) });
    });
    return provider;
  }

  let handle = buildProvider(ring).callback();

  // Operators (a login token with `keys:rotate`) may rotate the signing key.
  const verifier = createVerifier({
    issuers: [{ issuer: config.login.issuer, jwksUri: config.login.jwksUri }],
    audience: issuer,
    users: { issuers: [config.login.issuer] },
    services: false,
    onEvent: auditLog(log),
  });
  const mayRotate = requirePermission('keys:rotate');

  function json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  async function rotate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await mayRotate(await verifier.authenticate(req), req);
    } catch (error) {
      if (!isAuthError(error)) throw error;
      json(res, error.status, error.toJSON(), error.headers as Record<string, string>);
      return;
    }
    const previous = ring.current.kid;
    await ring.rotate();
    handle = buildProvider(ring).callback();
    log('info', 'signing key rotated', { from: previous, to: ring.current.kid });
    json(res, 200, {
      previous,
      current: ring.current.kid,
      published: ring.jwks().keys.map((key) => key.kid),
    });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', url).pathname;
    if (path === '/healthz' && req.method === 'GET') {
      const health = verifier.health();
      json(res, health.ready ? 200 : 503, {
        service: 'token-service',
        status: health.ready ? 'ok' : 'starting',
        issuer,
        signingKid: ring.current.kid,
        verifier: health,
      });
    } else if (path === '/metrics' && req.method === 'GET') {
      serveMetrics(req, res); // Prometheus metrics, the admin route's verifier's among them
    } else if (path === '/admin/rotate-key' && req.method === 'POST') {
      rotate(req, res).catch((error: unknown) => {
        log('error', 'rotation failed', { error: String(error) });
        json(res, 500, { error: 'server_error' });
      });
    } else {
      handle(req, res);
    }
  });
  log('info', 'listening', { url, issuer, signingKid: ring.current.kid });

  let closed = false;
  void (async () => {
    // Retry with back-off (250 ms, doubling, up to 1 s): the other services may start later.
    for (let delay = 250; !closed; delay = Math.min(delay * 2, 1000)) {
      try {
        await verifier.ready();
        log('info', 'verifier ready');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  })();

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closed = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
