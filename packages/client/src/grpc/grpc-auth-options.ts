import { optionKeys } from '@org/auth-core/adapter';
import { AuthClientError, AuthConfigError } from '../errors.js';
import { checkOptions } from '../lib/options.js';

/** The method a call is for: `service` is the full name (`orders.Orders`), `method` its name (`CreateOrder`). */
export interface GrpcTarget {
  readonly service: string;
  readonly method: string;
}

/** Where the tokens come from: a `TokenClient` (`createTokenClient(...)`), or anything with its `getToken`. */
export interface GrpcTokens {
  /**
   * A token for `audience`, from the cache while it is fresh; with `rejectedToken`, a newer one
   * than the token the server refused.
   */
  getToken(
    audience: string,
    options?: { readonly scope?: string; readonly rejectedToken?: string },
  ): Promise<string>;
}

/**
 * Options of `createGrpcAuthInterceptor` and `createGrpcCallCredentials`: the same token cache
 * as `createAuthFetch`, and the audience of the called services.
 */
export interface GrpcAuthOptions {
  /** The token cache to draw from (a `TokenClient`). */
  readonly tokens: GrpcTokens;
  /**
   * The audience of the tokens: one for every call of the channel (`'orders'`), a map of full
   * service name to audience (`{ 'orders.Orders': 'orders' }`), or a function of the target.
   * A call to a service without audience fails with `no_audience` (no token leaves by accident).
   */
  readonly audience: string | Readonly<Record<string, string>> | ((target: GrpcTarget) => string | undefined);
  /** Scope of the tokens. Default: none. */
  readonly scope?: string;
}

const OPTIONS = optionKeys<GrpcAuthOptions>({ tokens: true, audience: true, scope: true });

/** The validated options: the token cache, the scope, and the audience of each target. */
export interface GrpcAuthSettings {
  readonly tokens: GrpcTokens;
  readonly tokenOptions: { readonly scope?: string };
  /** @throws {AuthClientError} `no_audience` */
  audienceOf(target: GrpcTarget): string;
}

/** Validates the options once, when the interceptor or credentials are made. */
export function compileGrpcAuthOptions(options: GrpcAuthOptions): GrpcAuthSettings {
  checkOptions(undefined, options, OPTIONS, 'an object with tokens and audience');
  const { tokens, audience, scope } = options;
  if (typeof tokens?.getToken !== 'function') {
    throw new AuthConfigError('tokens', 'expected a TokenClient (createTokenClient(...))');
  }
  if (scope !== undefined && (typeof scope !== 'string' || scope === '')) {
    throw new AuthConfigError('scope', 'expected a non-empty string');
  }
  const resolve = resolverOf(audience);
  return {
    tokens,
    tokenOptions: scope === undefined ? {} : { scope },
    audienceOf(target) {
      const found = resolve(target);
      if (typeof found !== 'string' || found === '') {
        throw new AuthClientError('no_audience', `no audience configured for ${target.service}`);
      }
      return found;
    },
  };
}

function resolverOf(audience: GrpcAuthOptions['audience']): (target: GrpcTarget) => string | undefined {
  if (typeof audience === 'function') return audience;
  if (typeof audience === 'string' && audience !== '') return () => audience;
  if (typeof audience !== 'object' || audience === null || Array.isArray(audience)) {
    throw new AuthConfigError(
      'audience',
      "expected an audience ('orders'), a map of service name to audience, or a function",
    );
  }
  const map = new Map<string, string>();
  for (const [service, value] of Object.entries(audience)) {
    if (service === '' || service.includes('/')) {
      throw new AuthConfigError(
        `audience["${service}"]`,
        'keys must be full service names such as orders.Orders',
      );
    }
    if (typeof value !== 'string' || value === '') {
      throw new AuthConfigError(`audience["${service}"]`, 'expected a non-empty audience');
    }
    map.set(service, value);
  }
  return (target) => map.get(target.service);
}

/** The target of a method path, `/orders.Orders/CreateOrder`. */
export function targetOfPath(path: string): GrpcTarget {
  const slash = path.lastIndexOf('/');
  return { service: path.slice(1, slash), method: path.slice(slash + 1) };
}

/** The `authorization` metadata value of a token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}
