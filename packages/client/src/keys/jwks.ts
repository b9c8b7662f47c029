import type { IncomingMessage, ServerResponse } from 'node:http';
import { optionKeys } from '@org/auth-core/adapter';
import type { JWK } from 'jose';
import { AuthConfigError } from '../errors.js';
import { checkOptions } from '../lib/options.js';
import type { KeyRing } from './key-ring.js';
import type { SigningKey } from './signing-key.js';

/** A public JSON Web Key Set (RFC 7517 §5). */
export interface PublicJwks {
  keys: JWK[];
}

/** What can be published as a JWKS: a key ring, signing keys, or a ready JWKS (read on every request). */
export type JwksSource = KeyRing | readonly SigningKey[] | PublicJwks | (() => PublicJwks);

/** Options of {@link jwksResponse} and {@link createJwksHandler}. */
export interface JwksResponseOptions {
  /** `max-age` of `Cache-Control`, in seconds. Default `300`. */
  readonly maxAge?: number;
}

/** A framework-free HTTP response. */
export interface JwksHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const OPTIONS = optionKeys<JwksResponseOptions>({ maxAge: true });

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The public JWKS of a source; private members are never included.
 *
 * @example
 * ```ts
 * const jwks = toPublicJwks([await generateSigningKey()]);
 * ```
 */
export function toPublicJwks(source: JwksSource): PublicJwks {
  let keys: JWK[];
  if (typeof source === 'function') keys = source().keys;
  else if (Array.isArray(source)) {
    keys = (source as readonly SigningKey[]).flatMap((key) => (key.publicJwk ? [key.publicJwk] : []));
  } else if ('jwks' in source && typeof source.jwks === 'function') keys = source.jwks().keys;
  else keys = (source as PublicJwks).keys;
  return {
    keys: keys.map((jwk) => {
      const copy: Record<string, unknown> = { ...jwk };
      for (const member of PRIVATE_MEMBERS) delete copy[member];
      return copy as JWK;
    }),
  };
}

function maxAgeOf(options: JwksResponseOptions): number {
  checkOptions(undefined, options, OPTIONS);
  const maxAge = options.maxAge ?? 300;
  if (!Number.isInteger(maxAge) || maxAge < 0) {
    throw new AuthConfigError('maxAge', 'expected a non-negative integer number of seconds');
  }
  return maxAge;
}

/**
 * The response for `GET /.well-known/jwks.json` as `{ status, headers, body }`, for any framework.
 *
 * @example
 * ```ts
 * app.get('/.well-known/jwks.json', (req, res) => {
 *   const { status, headers, body } = jwksResponse(ring);
 *   res.status(status).set(headers).send(body);
 * });
 * ```
 */
export function jwksResponse(source: JwksSource, options: JwksResponseOptions = {}): JwksHttpResponse {
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': `public, max-age=${maxAgeOf(options)}`,
    },
    body: JSON.stringify(toPublicJwks(source)),
  };
}

/**
 * A `node:http` handler that serves the JWKS (answers `GET` and `HEAD`, `405` otherwise). Mount
 * it at `/.well-known/jwks.json`; it works with Express, Koa (`ctx.req`, `ctx.res`) and
 * Fastify (`request.raw`, `reply.raw`).
 *
 * @example
 * ```ts
 * const serveJwks = createJwksHandler(ring);
 * http.createServer((req, res) => req.url === '/.well-known/jwks.json' ? serveJwks(req, res) : app(req, res));
 * ```
 */
export function createJwksHandler(
  source: JwksSource,
  options: JwksResponseOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  maxAgeOf(options);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'method_not_allowed' }));
      return;
    }
    const { status, headers, body } = jwksResponse(source, options);
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
