import { optionKeys } from '@org/auth-core/adapter';
import { type AuthFetchDpopOptions, DpopSession } from './dpop/dpop-session.js';
import { AuthClientError, AuthConfigError } from './errors.js';
import { type AuthFetchSignerOptions, RequestSigner } from './hmac/request-signer.js';
import { checkOptions } from './lib/options.js';
import type { TokenClient } from './token-client.js';

/** Maps a request's target to the audience of its token; `undefined` when none applies. */
export type AudienceResolver =
  | Readonly<Record<string, string>>
  | ((url: URL, init: RequestInit | undefined) => string | undefined);

/** Options of {@link createAuthFetch} that attach a token to each request (bearer or DPoP). */
export interface TokenAuthFetchOptions {
  /** The token cache to draw from. */
  readonly tokens: Pick<TokenClient, 'getToken'>;
  /**
   * Audience per target: a map of origin (`'https://orders.internal'`) to audience, or a function
   * of the URL. Requests to an unmapped target fail with `no_audience` (no token leaves by accident).
   */
  readonly audience: AudienceResolver;
  /** Scope of the tokens. Default: none. */
  readonly scope?: string;
  /** The underlying `fetch`. Default: the global `fetch` (undici options such as `dispatcher` pass through). */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * DPoP (RFC 9449): send `Authorization: DPoP <token>` with a fresh `DPoP` proof signed by
   * `key` on every request; on 401 `use_dpop_nonce` with a `DPoP-Nonce`, retry once with that
   * nonce, and keep the latest nonce of each origin for the next requests. The tokens must be
   * bound to the key: `cnf: { jkt: jwkThumbprint(key.publicJwk) }`. Default: bearer tokens.
   */
  readonly dpop?: AuthFetchDpopOptions;
  /** Only in {@link SignedAuthFetchOptions}: a wrapper either attaches tokens or signs. */
  readonly signer?: never;
}

/** Options of {@link createAuthFetch} that sign each request with HMAC-SHA256 instead of attaching a token. */
export interface SignedAuthFetchOptions {
  /**
   * Sign every request for a receiver that uses `createHmacAuthenticator` (`Authorization:
   * HMAC-SHA256 ...` over the method, the URL's host, path and query, `content-type` and the
   * listed headers, and the body bytes). A signed request is sent once and never retried: the
   * receiver remembers each nonce, so a replay would be refused anyway; call again to send a newly
   * signed request. Bodies must be known up front: strings, bytes, `URLSearchParams` or `Blob`.
   */
  readonly signer: AuthFetchSignerOptions;
  /** The underlying `fetch`. Default: the global `fetch` (undici options such as `dispatcher` pass through). */
  readonly fetch?: typeof globalThis.fetch;
  /** Only with tokens: signed requests carry no token. */
  readonly tokens?: never;
  /** Only with tokens: a signature is not bound to an audience (the host is signed instead). */
  readonly audience?: never;
  /** Only with tokens. */
  readonly scope?: never;
  /** Only with tokens. */
  readonly dpop?: never;
}

/** Options of {@link createAuthFetch}: either `tokens` and `audience`, or `signer`. */
export type AuthFetchOptions = TokenAuthFetchOptions | SignedAuthFetchOptions;

// The keys of both kinds: which kind applies is told apart once typos are caught.
type AnyAuthFetchOption = keyof TokenAuthFetchOptions | keyof SignedAuthFetchOptions;
const OPTIONS = optionKeys<{ readonly [K in AnyAuthFetchOption]?: unknown }>({
  tokens: true,
  audience: true,
  scope: true,
  dpop: true,
  signer: true,
  fetch: true,
});

function resolverOf(
  audience: AudienceResolver,
): (url: URL, init: RequestInit | undefined) => string | undefined {
  if (typeof audience === 'function') return audience;
  if (typeof audience !== 'object' || audience === null) {
    throw new AuthConfigError('audience', 'expected a map of origin to audience, or a function');
  }
  const map = new Map<string, string>();
  for (const [origin, value] of Object.entries(audience)) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new AuthConfigError(
        `audience["${origin}"]`,
        'keys must be origins such as https://orders.internal',
      );
    }
    if (typeof value !== 'string' || value === '') {
      throw new AuthConfigError(`audience["${origin}"]`, 'expected a non-empty audience');
    }
    map.set(parsed.origin, value);
  }
  return (url) => map.get(url.origin);
}

// RFC 6750 §3: a rejected token is answered 401 with error="invalid_token" (RFC 9449 §7.1: in a
// DPoP challenge for DPoP requests).
function isInvalidToken(response: Response, dpop: boolean): boolean {
  if (response.status !== 401) return false;
  const challenge = response.headers.get('www-authenticate') ?? '';
  return (
    (dpop ? /^\s*(?:bearer|dpop)\b/i : /^\s*bearer\b/i).test(challenge) &&
    /\berror\s*=\s*"?invalid_token"?/i.test(challenge)
  );
}

/**
 * A `fetch` that authenticates each request, with the same signature as the platform `fetch`.
 *
 * With `tokens` and `audience`: attaches `Authorization: Bearer <token>` for the request's audience
 * and, on a 401 `invalid_token`, retries once with a fresh token. With `dpop: { key }`, sends
 * `Authorization: DPoP <token>` and a fresh `DPoP` proof instead, and handles server nonces (see
 * {@link TokenAuthFetchOptions.dpop}).
 *
 * With `signer`: signs each request with HMAC-SHA256 (`Authorization: HMAC-SHA256 ...`) over
 * exactly the method, URL, headers and body bytes it sends, and never retries it (see
 * {@link SignedAuthFetchOptions.signer}).
 *
 * @throws {AuthConfigError} for invalid or unknown options, or both `tokens` and `signer`
 * @throws {AuthClientError} `no_audience` for a target without audience; token errors as
 *   `getToken` throws them; `unsignable_request` for a stream or `FormData` body when signing
 * @example
 * ```ts
 * const authFetch = createAuthFetch({ tokens, audience: { 'http://orders.internal': 'orders' } });
 * const res = await authFetch('http://orders.internal/orders/42');
 *
 * const signedFetch = createAuthFetch({ signer: { keyId: 'billing', secret: process.env.BILLING_HMAC_SECRET! } });
 * await signedFetch('http://ledger.internal/entries', { method: 'POST', body: JSON.stringify({ amount: 5 }) });
 * ```
 */
export function createAuthFetch(options: AuthFetchOptions): typeof globalThis.fetch {
  checkOptions(undefined, options, OPTIONS, 'an object with tokens and audience, or signer');
  const baseFetch = options.fetch ?? globalThis.fetch;
  if (typeof baseFetch !== 'function') throw new AuthConfigError('fetch', 'expected a fetch function');
  if (options.signer === undefined) return tokenFetch(options, baseFetch);
  if (options.tokens !== undefined) {
    throw new AuthConfigError(
      'signer',
      'give either signer (to sign requests with HMAC) or tokens and audience (to attach tokens), not both',
    );
  }
  for (const name of ['audience', 'scope', 'dpop'] as const) {
    if (options[name] !== undefined) {
      throw new AuthConfigError(name, 'only applies to tokens; signed requests carry no token, remove it');
    }
  }
  return signedFetch(new RequestSigner(options.signer), baseFetch);
}

function signedFetch(signer: RequestSigner, baseFetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return async function authFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    // Sent once: the receiver keeps every nonce for its time window, so a blind retry of the same
    // signed request would only be refused as a replay.
    return baseFetch(input, await signer.sign(input, init));
  };
}

function tokenFetch(
  options: TokenAuthFetchOptions,
  baseFetch: typeof globalThis.fetch,
): typeof globalThis.fetch {
  if (typeof options.tokens?.getToken !== 'function') {
    throw new AuthConfigError(
      'tokens',
      'expected a TokenClient (with audience), or give signer: { keyId, secret } to sign requests instead',
    );
  }
  const resolve = resolverOf(options.audience);
  const { tokens, scope } = options;
  const tokenOptions = scope === undefined ? {} : { scope };
  const dpop = options.dpop === undefined ? undefined : new DpopSession(options.dpop);

  return async function authFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : input);
    const audience = resolve(url, init);
    if (audience === undefined) {
      throw new AuthClientError('no_audience', `no audience configured for ${url.origin}`);
    }
    // A request body can be sent twice only if it is not a one-shot stream.
    const replayable =
      !(init?.body instanceof ReadableStream) && !(input instanceof Request && input.bodyUsed);

    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');

    // A Request's body is read by fetch: every attempt but the last gets a clone.
    const target = (last: boolean) =>
      input instanceof Request && !last && replayable ? input.clone() : input;

    const send = async (token: string, original: boolean): Promise<Response> => {
      const headers = new Headers(input instanceof Request ? input.headers : undefined);
      for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
      if (dpop === undefined) {
        headers.set('authorization', `Bearer ${token}`);
        return baseFetch(target(!original), { ...init, headers });
      }
      const proven = await dpop.headers(method, url, token);
      headers.set('authorization', proven.authorization);
      headers.set('dpop', proven.dpop);
      const response = await baseFetch(target(false), { ...init, headers });
      // RFC 9449 §8: one retry with the nonce the server asked for.
      if (!dpop.observe(url, response, proven.nonce) || !replayable) return response;
      await response.body?.cancel();
      headers.set('dpop', (await dpop.headers(method, url, token)).dpop);
      return baseFetch(target(!original), { ...init, headers });
    };

    const token = await tokens.getToken(audience, tokenOptions);
    const response = await send(token, true);
    if (!isInvalidToken(response, dpop !== undefined) || !replayable) return response;
    const fresh = await tokens.getToken(audience, { ...tokenOptions, rejectedToken: token });
    if (fresh === token) return response;
    await response.body?.cancel();
    return send(fresh, false);
  };
}
