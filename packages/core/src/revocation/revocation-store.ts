/** What a revocation store is asked about one verified token. */
export interface RevocationQuery {
  readonly issuer: string;
  /** `jti`, when the token has one. */
  readonly tokenId: string | undefined;
  readonly subject: string | undefined;
  /** `iat` in seconds, when the token has one. */
  readonly issuedAt: number | undefined;
  /** `exp` in seconds. */
  readonly expiresAt: number;
}

/**
 * Answers whether a verified token is revoked. Checked on every request, after the signature.
 * A store that throws or rejects makes the request fail with 503 `revocation_unavailable`
 * (fail closed).
 */
export interface RevocationStore {
  isRevoked(query: RevocationQuery): boolean | Promise<boolean>;
}
