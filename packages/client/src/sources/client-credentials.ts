import { randomUUID } from 'node:crypto';
import { type Duration, parseDuration } from '@org/auth-core';
import { optionKeys } from '@org/auth-core/adapter';
import { decodeJwt, SignJWT } from 'jose';
import { AuthClientError, AuthConfigError } from '../errors.js';
import type { SigningKey } from '../keys/signing-key.js';
import { checkOptions } from '../lib/options.js';
import { backoffDelay, compileRetry, type RetryOptions, type RetryPolicy } from '../lib/retry.js';
import { sleep } from '../lib/sleep.js';
import { parseEndpoint } from '../lib/urls.js';
import type { IssuedToken, TokenRequest, TokenSource } from './token-source.js';

/** How the client authenticates to the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** Options of {@link createClientCredentialsSource}. */
export interface ClientCredentialsSourceOptions {
  /** The token endpoint. Either this or `issuer` (then found through the issuer's metadata). */
  readonly tokenEndpoint?: string | URL;
  /**
   * The authorization server's issuer identifier. Its metadata (RFC 8414, then OpenID Connect
   * discovery) gives the token endpoint when `tokenEndpoint` is not set; it is also the default
   * audience of `private_key_jwt` assertions.
   */
  readonly issuer?: string | URL;
  /** The OAuth client id. */
  readonly clientId: string;
  /** The client secret, for `client_secret_basic` and `client_secret_post`. Never logged. */
  readonly clientSecret?: string;
  /** The private key signing `private_key_jwt` client assertions. */
  readonly privateKey?: SigningKey;
  /**
   * Client authentication. Default `'client_secret_basic'` with `clientSecret`, `'private_key_jwt'`
   * with `privateKey`.
   */
  readonly authMethod?: ClientAuthMethod;
  /** `aud` of client assertions. Default: `issuer` when set, else the token endpoint URL. */
  readonly assertionAudience?: string;
  /**
   * Parameter carrying the audience: `'resource'` (RFC 8707, default; the value must be an
   * absolute URI) or `'audience'` (Auth0 and others).
   */
  readonly audienceParameter?: 'resource' | 'audience';
  /** Default `scope`, used when a request gives none. */
  readonly scope?: string;
  /** Extra form parameters for every token request. */
  readonly extraParams?: Readonly<Record<string, string>>;
  /** Retries of transient failures (5xx, 429, network, timeout). Default 3 attempts, 200ms-5s full jitter. */
  readonly retry?: RetryOptions;
  /** Time limit of one attempt. Default `'10s'`. */
  readonly timeout?: Duration;
  /** Lifetime assumed when the answer has no `expires_in` and the token is not a JWT. Default `'5m'`. */
  readonly defaultExpiresIn?: Duration;
  /** Allow `http:` endpoints off loopback. Default `false`. */
  readonly allowInsecureHttp?: boolean;
  /** `fetch` implementation (proxies, mTLS, custom undici agents). Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

const OPTIONS = optionKeys<ClientCredentialsSourceOptions>({
  tokenEndpoint: true,
  issuer: true,
  clientId: true,
  clientSecret: true,
  privateKey: true,
  authMethod: true,
  assertionAudience: true,
  audienceParameter: true,
  scope: true,
  extraParams: true,
  retry: true,
  timeout: true,
  defaultExpiresIn: true,
  allowInsecureHttp: true,
  fetch: true,
  now: true,
});

const FORM = 'application/x-www-form-urlencoded';

function sanitize(text: unknown, max = 200): string | undefined {
  if (typeof text !== 'string') return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strip control characters from server text.
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}

// RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
function basicCredentials(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/**
 * A source that gets tokens from an OAuth 2.0 token service with the client credentials grant
 * (RFC 6749 §4.4), one per audience (RFC 8707 `resource`, or `audience`) and scope.
 *
 * @throws {AuthConfigError} for invalid or unknown options
 * @example
 * ```ts
 * const source = createClientCredentialsSource({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'billing',
 *   clientSecret: secretFromYourVault,
 * });
 * const { accessToken } = await source.getToken({ audience: 'https://orders.internal' });
 * ```
 */
export function createClientCredentialsSource(options: ClientCredentialsSourceOptions): TokenSource {
  checkOptions(undefined, options, OPTIONS);
  const allowHttp = options.allowInsecureHttp === true;
  const { clientId, clientSecret, privateKey } = options;
  if (typeof clientId !== 'string' || clientId === '')
    throw new AuthConfigError('clientId', 'expected a non-empty string');
  if (options.tokenEndpoint === undefined && options.issuer === undefined) {
    throw new AuthConfigError('tokenEndpoint', 'give tokenEndpoint or issuer (for metadata discovery)');
  }
  const configuredEndpoint =
    options.tokenEndpoint === undefined
      ? undefined
      : parseEndpoint(options.tokenEndpoint, 'tokenEndpoint', allowHttp);
  const issuer =
    options.issuer === undefined ? undefined : parseEndpoint(options.issuer, 'issuer', allowHttp);
  const issuerId = options.issuer === undefined ? undefined : String(options.issuer);
  const authMethod: ClientAuthMethod =
    options.authMethod ??
    (privateKey !== undefined && clientSecret === undefined ? 'private_key_jwt' : 'client_secret_basic');
  if (!['client_secret_basic', 'client_secret_post', 'private_key_jwt'].includes(authMethod)) {
    throw new AuthConfigError(
      'authMethod',
      'expected client_secret_basic, client_secret_post or private_key_jwt',
    );
  }
  if (authMethod === 'private_key_jwt') {
    if (typeof privateKey !== 'object' || privateKey === null || !('privateKey' in privateKey)) {
      throw new AuthConfigError('privateKey', 'private_key_jwt needs a SigningKey (importSigningKey)');
    }
  } else if (typeof clientSecret !== 'string' || clientSecret === '') {
    throw new AuthConfigError('clientSecret', `${authMethod} needs a non-empty client secret`);
  }
  const audienceParameter = options.audienceParameter ?? 'resource';
  if (audienceParameter !== 'resource' && audienceParameter !== 'audience') {
    throw new AuthConfigError('audienceParameter', "expected 'resource' or 'audience'");
  }
  const retry: RetryPolicy = compileRetry(options.retry, 'retry');
  const timeoutMs = parseDuration(options.timeout ?? '10s', 'timeout') * 1000;
  const defaultExpiresIn = parseDuration(options.defaultExpiresIn ?? '5m', 'defaultExpiresIn');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new AuthConfigError('fetch', 'expected a fetch function');
  const now = options.now ?? Date.now;
  const extraParams = { ...options.extraParams };

  let endpoint: Promise<URL> | undefined = configuredEndpoint
    ? Promise.resolve(configuredEndpoint)
    : undefined;

  function tokenEndpoint(): Promise<URL> {
    if (endpoint === undefined) {
      endpoint = discover(issuer!, issuerId!, fetchImpl, retry, timeoutMs, allowHttp);
      // A failed discovery is retried on the next request.
      endpoint.catch(() => {
        endpoint = undefined;
      });
    }
    return endpoint;
  }

  async function buildRequest(
    url: URL,
    request: TokenRequest,
  ): Promise<{ headers: Headers; body: URLSearchParams }> {
    const body = new URLSearchParams({ ...extraParams, grant_type: 'client_credentials' });
    body.set(audienceParameter, request.audience);
    const scope = request.scope ?? options.scope;
    if (scope !== undefined && scope !== '') body.set('scope', scope);
    const headers = new Headers({ 'content-type': FORM, accept: 'application/json' });
    if (authMethod === 'client_secret_basic') {
      headers.set('authorization', basicCredentials(clientId, clientSecret!));
    } else if (authMethod === 'client_secret_post') {
      body.set('client_id', clientId);
      body.set('client_secret', clientSecret!);
    } else {
      body.set('client_id', clientId);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', await clientAssertion(url));
    }
    return { headers, body };
  }

  // RFC 7523 §3: iss = sub = client_id, aud = the authorization server, short exp, unique jti.
  async function clientAssertion(url: URL): Promise<string> {
    const key = privateKey!;
    const iat = Math.floor(now() / 1000);
    try {
      return await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: key.alg, ...(key.kid === '' ? {} : { kid: key.kid }) })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(options.assertionAudience ?? issuerId ?? url.href)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(key.privateKey);
    } catch (error) {
      throw new AuthClientError('signing_failed', 'could not sign the client assertion', { cause: error });
    }
  }

  return {
    async getToken(request: TokenRequest): Promise<IssuedToken> {
      if (typeof request.audience !== 'string' || request.audience === '') {
        throw new AuthConfigError('audience', 'expected one non-empty audience');
      }
      const url = await tokenEndpoint();
      let lastError: unknown;
      let lastStatus: number | undefined;
      for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        if (attempt > 1) await sleep(backoffDelay(retry, attempt - 1));
        const started = now();
        const { headers, body } = await buildRequest(url, request);
        let response: Response;
        try {
          response = await fetchImpl(url, {
            method: 'POST',
            headers,
            body,
            redirect: 'error',
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          lastError = error;
          lastStatus = undefined;
          continue;
        }
        if (response.status >= 500 || response.status === 429) {
          await response.body?.cancel();
          lastStatus = response.status;
          lastError = undefined;
          continue;
        }
        return readTokenResponse(response, started, defaultExpiresIn);
      }
      throw new AuthClientError(
        'token_endpoint_unavailable',
        `token endpoint unavailable after ${retry.attempts} attempt(s)${lastStatus === undefined ? '' : ` (last status ${lastStatus})`}`,
        {
          ...(lastStatus === undefined ? {} : { status: lastStatus }),
          ...(lastError === undefined ? {} : { cause: lastError }),
        },
      );
    },
  };
}

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await response.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function readTokenResponse(
  response: Response,
  startedMs: number,
  defaultExpiresIn: number,
): Promise<IssuedToken> {
  const json = await readJson(response);
  const status = response.status;
  if (!response.ok) {
    // RFC 6749 §5.2 error response.
    const oauthError = sanitize(json?.error, 64);
    const description = sanitize(json?.error_description);
    throw new AuthClientError(
      'token_request_rejected',
      `token request rejected: ${oauthError ?? `HTTP ${status}`}${description ? ` (${description})` : ''}`,
      { status, ...(oauthError === undefined ? {} : { oauthError }) },
    );
  }
  const accessToken = json?.access_token;
  const tokenType = json?.token_type;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new AuthClientError('invalid_token_response', 'token response has no access_token', { status });
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new AuthClientError(
      'invalid_token_response',
      `unsupported token_type ${JSON.stringify(sanitize(tokenType, 20))}`,
      {
        status,
      },
    );
  }
  let expiresAt: number;
  const expiresIn = json?.expires_in;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) {
    // Counted from when the request was sent: never later than the server's own clock says.
    expiresAt = startedMs + expiresIn * 1000;
  } else {
    expiresAt = startedMs + defaultExpiresIn * 1000;
    try {
      const { exp } = decodeJwt(accessToken);
      if (typeof exp === 'number') expiresAt = exp * 1000;
    } catch {
      // An opaque token: keep the default lifetime.
    }
  }
  const scope = typeof json?.scope === 'string' ? json.scope : undefined;
  return { accessToken, expiresAt, ...(scope === undefined ? {} : { scope }) };
}

// RFC 8414 §3: the well-known segment goes between host and path; OpenID Connect appends it.
async function discover(
  issuer: URL,
  issuerId: string,
  fetchImpl: typeof globalThis.fetch,
  retry: RetryPolicy,
  timeoutMs: number,
  allowHttp: boolean,
): Promise<URL> {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  const candidates = [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer),
    new URL(`${path}/.well-known/openid-configuration`, issuer),
  ];
  let lastError: unknown;
  for (const url of candidates) {
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (attempt > 1) await sleep(backoffDelay(retry, attempt - 1));
      let response: Response;
      try {
        response = await fetchImpl(url, {
          headers: { accept: 'application/json' },
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        lastError = error;
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        await response.body?.cancel();
        lastError = new Error(`HTTP ${response.status}`);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        lastError = new Error(`HTTP ${response.status}`);
        break; // try the next well-known location
      }
      const metadata = await readJson(response);
      if (metadata?.issuer !== issuerId) {
        throw new AuthClientError('discovery_failed', 'issuer metadata names another issuer (RFC 8414 §3.3)');
      }
      if (typeof metadata.token_endpoint !== 'string') {
        throw new AuthClientError('discovery_failed', 'issuer metadata has no token_endpoint');
      }
      try {
        return parseEndpoint(metadata.token_endpoint, 'token_endpoint', allowHttp);
      } catch (error) {
        throw new AuthClientError('discovery_failed', 'issuer metadata has an unusable token_endpoint', {
          cause: error,
        });
      }
    }
  }
  throw new AuthClientError('discovery_failed', 'could not read the issuer metadata', { cause: lastError });
}
