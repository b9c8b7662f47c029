import { timingSafeEqual } from 'node:crypto';
import type { AuthContext } from '../auth-context.js';
import type { Authenticator } from '../authn/authenticator.js';
import { AuthRejector } from '../authn/rejector.js';
import { AuthConfigError, AuthError } from '../errors.js';
import type { AuthEventListener, RequestIdentity } from '../events.js';
import { type CompiledRoleMap, compileRoleMap, type RoleMap } from '../grants/role-map.js';
import { buildAuthContext } from '../identity/create-auth-context.js';
import { identityOf } from '../identity/identity-of.js';
import { type Duration, parseDuration } from '../lib/duration.js';
import { assertKnownKeys, optionalFunction, optionKeys } from '../lib/option-checks.js';
import { MemoryNonceStore } from '../replay/memory-nonce-store.js';
import type { NonceStore } from '../replay/nonce-store.js';
import { headerCount, headerValue, type RequestLike, requestTarget } from '../token/request.js';
import { announcesBody, SignedBody } from './signed-body.js';

const NO_BODY_CHECK =
  'request body cannot be checked: authenticate(request, { body }) was given no SignedBody';

import { canonicalRequest, EMPTY_BODY_HASH, HMAC_SCHEME, hmacOf } from './canonical-request.js';
import { hmacSecretBytes, isHmacKeyId } from './hmac-credentials.js';
import { parseSignatureParams, type SignatureParams } from './signature-header.js';

/** One calling service of {@link createHmacAuthenticator}. */
export interface HmacService {
  /**
   * Its active secrets, at least 32 bytes each (a string counts its UTF-8 bytes). List the new
   * one and the old one during a rotation; a signature made with any of them is accepted.
   */
  readonly secrets: readonly (string | Uint8Array)[];
  /** Permissions granted to this service (`orders:read`, `orders:*`). Default none. */
  readonly permissions?: readonly string[];
  /** Roles of this service, expanded through `roles`. Default none. */
  readonly roles?: readonly string[];
}

/** Options of {@link createHmacAuthenticator}. */
export interface HmacAuthenticatorOptions {
  /** The services that may call, by key id (the `keyId` they sign with, usually their name). */
  readonly services: Readonly<Record<string, HmacService>>;
  /** How far a request's timestamp may be from now, either way. Default `'5m'`; at most `'15m'`. */
  readonly window?: Duration;
  /**
   * Where nonces are remembered for the window. Default: a {@link MemoryNonceStore} of this
   * process; use `RedisNonceStore` from `@org/auth-redis` when several replicas share the traffic,
   * or a request could be replayed once to each replica.
   */
  readonly nonces?: NonceStore;
  /**
   * Headers every signature must cover, lower case. Default `['host']`, so that a request signed
   * for one service cannot be replayed to another that trusts the same caller.
   */
  readonly requiredHeaders?: readonly string[];
  /** Role name to permissions, as in the verifier. */
  readonly roles?: RoleMap;
  /** `realm` of challenges. */
  readonly realm?: string;
  /** Audit events (`accepted`, `rejected`), as in the verifier. */
  readonly onEvent?: AuthEventListener;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

interface CompiledService {
  readonly secrets: readonly Buffer[];
  readonly permissions: readonly string[];
  readonly roles: readonly string[];
}

const HMAC_OPTIONS = optionKeys<HmacAuthenticatorOptions>({
  services: true,
  window: true,
  nonces: true,
  requiredHeaders: true,
  roles: true,
  realm: true,
  onEvent: true,
  now: true,
});
const MAX_WINDOW = 15 * 60;

function compileServices(services: unknown): ReadonlyMap<string, CompiledService> {
  if (typeof services !== 'object' || services === null || Object.keys(services).length === 0) {
    throw new AuthConfigError(
      'services',
      'expected at least one service, such as { billing: { secrets: [secret] } }',
    );
  }
  const compiled = new Map<string, CompiledService>();
  for (const [keyId, service] of Object.entries(services as Record<string, HmacService>)) {
    const option = `services.${keyId}`;
    if (!isHmacKeyId(keyId)) {
      throw new AuthConfigError(option, 'a key id is 1 to 128 characters of letters, digits and ._~+/:@-');
    }
    if (!Array.isArray(service?.secrets) || service.secrets.length === 0) {
      throw new AuthConfigError(`${option}.secrets`, 'list at least one secret');
    }
    const secrets = service.secrets.map((secret, index) =>
      hmacSecretBytes(secret, `${option}.secrets[${index}]`),
    );
    for (const name of ['permissions', 'roles'] as const) {
      const list = service[name];
      if (list !== undefined && (!Array.isArray(list) || list.some((item) => typeof item !== 'string'))) {
        throw new AuthConfigError(`${option}.${name}`, 'expected an array of strings');
      }
    }
    compiled.set(keyId, {
      secrets,
      permissions: [...(service.permissions ?? [])],
      roles: [...(service.roles ?? [])],
    });
  }
  return compiled;
}

function compileRequiredHeaders(headers: unknown): readonly string[] {
  if (headers === undefined) return ['host'];
  if (
    !Array.isArray(headers) ||
    headers.some((name) => typeof name !== 'string' || !/^[a-z0-9-]+$/.test(name))
  ) {
    throw new AuthConfigError(
      'requiredHeaders',
      'expected lower-case header names, such as ["host", "content-type"]',
    );
  }
  return headers;
}

/**
 * Authenticates requests signed with a per-service shared secret (`Authorization: HMAC-SHA256 ...`):
 * the signature covers the method, the request target, a timestamp, a nonce, the signed headers
 * and a SHA-256 of the body (see `canonicalRequest` and the README for the exact form). A request
 * outside the time window, with a nonce already seen, or with a signature that matches none of
 * the service's secrets (compared in constant time) is refused. Contexts have kind `hmac`, the key
 * id as `caller` and `subject`, and the service's permissions.
 *
 * The body is checked where the framework reads it: see `verifyBody` in each adapter. A request
 * that announces no body is checked here against the hash of an empty body.
 *
 * @throws {AuthConfigError} for invalid options
 * @example
 * ```ts
 * const signed = createHmacAuthenticator({
 *   services: { billing: { secrets: [process.env.BILLING_SECRET!], permissions: ['orders:read'] } },
 * });
 * app.use(serviceAuth({ authenticator: signed }));
 * ```
 */
export function createHmacAuthenticator(options: HmacAuthenticatorOptions): Authenticator {
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError('options', 'expected an object with services');
  }
  assertKnownKeys(undefined, options, HMAC_OPTIONS);
  const services = compileServices(options.services);
  const window = parseDuration(options.window ?? '5m', 'window');
  if (window < 1 || window > MAX_WINDOW)
    throw new AuthConfigError('window', 'expected between 1 second and 15 minutes');
  const nonces = options.nonces ?? new MemoryNonceStore();
  if (typeof nonces?.useOnce !== 'function') {
    throw new AuthConfigError('nonces', 'expected a NonceStore such as new MemoryNonceStore()');
  }
  const requiredHeaders = compileRequiredHeaders(options.requiredHeaders);
  const roles: CompiledRoleMap = compileRoleMap('roles', options.roles);
  if (options.realm !== undefined && typeof options.realm !== 'string')
    throw new AuthConfigError('realm', 'expected a string');
  const now = optionalFunction('now', options.now) ?? Date.now;
  const rejector = new AuthRejector({
    scheme: HMAC_SCHEME,
    realm: options.realm,
    onEvent: optionalFunction('onEvent', options.onEvent, 'a function (event) => void'),
    now,
  });
  async function verify(
    request: RequestLike,
    credentials: string,
  ): Promise<{ context: AuthContext; params: SignatureParams }> {
    const params = parseSignatureParams(credentials);
    const service = services.get(params.keyId);
    if (service === undefined) throw new AuthError('unknown_key', { description: 'unknown signing service' });
    const nowSeconds = now() / 1000;
    const timestamp = Number(params.timestamp);
    if (Math.abs(nowSeconds - timestamp) > window) throw new AuthError('request_expired');
    for (const name of requiredHeaders) {
      if (!params.signedHeaders.includes(name)) {
        throw new AuthError('malformed_request', { description: `the ${name} header must be signed` });
      }
    }
    if (!matches(service, params, request)) {
      throw new AuthError('invalid_signature', { description: 'invalid request signature' });
    }
    let first: boolean;
    try {
      first = await nonces.useOnce(`hmac:${params.keyId}:${params.nonce}`, timestamp + window + 1);
    } catch (cause) {
      throw new AuthError('replay_check_unavailable', { cause, retryAfter: 5 });
    }
    if (!first) throw new AuthError('replayed_request');
    const context = buildAuthContext(
      {
        kind: 'hmac',
        subject: params.keyId,
        issuer: 'hmac',
        permissions: service.permissions,
        roles: service.roles,
        claims: { iat: timestamp, jti: params.nonce },
      },
      roles,
      { scheme: HMAC_SCHEME, rejector },
    );
    return { context, params };
  }

  return {
    rejector,
    signsBodies: true,
    httpOnly: 'HMAC-SHA256',
    async authenticate(request, authOptions = {}) {
      let identity: RequestIdentity = { kind: 'hmac' };
      try {
        const credentials = signatureCredentials(request);
        if (credentials === undefined) {
          if (authOptions.optional) return undefined;
          throw new AuthError('missing_token', { description: 'missing request signature' });
        }
        const { context, params } = await verify(request, credentials);
        identity = identityOf(context);
        if (announcesBody(request.headers)) {
          // Without a place to report the body, it could never be checked: fail closed.
          if (authOptions.body === undefined) throw new SignedBody().uncheckable(NO_BODY_CHECK);
          const known = identity;
          authOptions.body.expect(params.bodyHash, (error) => rejector.reject(error, known) as AuthError);
        } else if (params.bodyHash !== EMPTY_BODY_HASH) {
          throw new AuthError('body_mismatch');
        }
        rejector.accepted(identity);
        return context;
      } catch (error) {
        throw rejector.reject(error, identity);
      }
    },
  };
}

/**
 * The credentials after `HMAC-SHA256 `, or `undefined` when the request carries no signature
 * (no `Authorization` header, or one of another scheme, left to other authenticators).
 */
function signatureCredentials(request: RequestLike): string | undefined {
  const value = headerValue(request, 'authorization');
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toUpperCase() !== HMAC_SCHEME) return undefined;
  if (headerCount(request, 'authorization') > 1) {
    throw new AuthError('malformed_request', { description: 'several Authorization headers' });
  }
  return space === -1 ? '' : value.slice(space + 1);
}

/** True when the signature matches one of the service's secrets; every secret is tried, in constant time each. */
function matches(service: CompiledService, params: SignatureParams, request: RequestLike): boolean {
  const headers: [string, string][] = [];
  for (const name of params.signedHeaders) {
    const value = headerValue(request, name);
    if (value === undefined) {
      throw new AuthError('malformed_request', { description: `signed header ${name} missing` });
    }
    headers.push([name, value]);
  }
  const canonical = canonicalRequest({
    keyId: params.keyId,
    timestamp: params.timestamp,
    nonce: params.nonce,
    method: request.method ?? 'GET',
    target: requestTarget(request),
    headers,
    bodyHash: params.bodyHash,
  });
  const given = Buffer.from(params.signature, 'base64url');
  let found = false;
  for (const secret of service.secrets) {
    const expected = hmacOf(secret, canonical);
    found = (expected.length === given.length && timingSafeEqual(expected, given)) || found;
  }
  return found;
}
