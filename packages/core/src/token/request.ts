import type { X509Certificate } from 'node:crypto';

/**
 * The framework-neutral view of an HTTP request that the core needs. Node's
 * `IncomingMessage` fits it as is (Express `req`, Koa `ctx.req`, Fastify `request.raw`).
 */
export interface RequestLike {
  /** Header map with lower-case names, as Node parses it. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * Raw header list (`name, value, name, value, ...`). Node keeps only the first
   * `Authorization` header in `headers`; the raw list lets the core reject duplicates.
   */
  readonly rawHeaders?: readonly string[] | undefined;
  /** Request target (path and query), as the framework may have rewritten it for a mounted router. */
  readonly url?: string | undefined;
  /** The request target as received (Express sets it; `url` loses the mount path in routers). */
  readonly originalUrl?: string | undefined;
  /** HTTP method. */
  readonly method?: string | undefined;
  /** The connection: a `TLSSocket` carries the client certificate for mTLS and bound tokens. */
  readonly socket?: RequestSocket | null | undefined;
}

/** What the core reads from the connection; Node's `TLSSocket` fits it. */
export interface RequestSocket {
  /** The peer's address (also what makes a plain `net.Socket` fit this type). */
  readonly remoteAddress?: string | undefined;
  /** True on a TLS connection. */
  readonly encrypted?: boolean | undefined;
  /** True when the client certificate was verified against the server's trusted CAs. */
  readonly authorized?: boolean | undefined;
  /** Why the client certificate was not verified (an OpenSSL code such as `CERT_HAS_EXPIRED`). */
  readonly authorizationError?: Error | string | null | undefined;
  /** The client certificate, if one was presented. */
  getPeerX509Certificate?(): X509Certificate | undefined;
}

/** The request target as the client sent it: `originalUrl` when the framework keeps it, else `url`. */
export function requestTarget(request: RequestLike): string {
  return request.originalUrl ?? request.url ?? '/';
}

/** Returns a header value, or undefined. Several values are joined the way Node joins them. */
export function headerValue(request: RequestLike, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/** Counts how many times a header was sent, using the raw list when the framework kept it. */
export function headerCount(request: RequestLike, name: string): number {
  const raw = request.rawHeaders;
  if (raw === undefined) {
    const value = request.headers[name];
    if (value === undefined) return 0;
    return typeof value === 'string' ? 1 : value.length;
  }
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const header = raw[i];
    // Lengths first: lower-casing every other header's name would allocate on each request.
    if (header !== undefined && header.length === name.length && header.toLowerCase() === name) count++;
  }
  return count;
}
