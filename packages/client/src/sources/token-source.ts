/** What a token is requested for. */
export interface TokenRequest {
  /** The one target service (`aud`, or the RFC 8707 `resource`). */
  readonly audience: string;
  /** Space-separated scope, if any. */
  readonly scope?: string;
}

/** A token from a source, with its expiry. */
export interface IssuedToken {
  /** The bearer token. */
  readonly accessToken: string;
  /** Expiry in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** Granted scope, when the source reports it. */
  readonly scope?: string;
}

/**
 * Where tokens come from: a self-signed source, a client-credentials source, or your own.
 * A source does no caching; wrap it in `createTokenClient`.
 */
export interface TokenSource {
  /** Mints or fetches a new token. Throws `AuthClientError` on failure. */
  getToken(request: TokenRequest): Promise<IssuedToken>;
}
