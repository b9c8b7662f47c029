/**
 * Remembers one-time values (HMAC request nonces, DPoP proof `jti`s) for as long as they could be
 * replayed. Use {@link MemoryNonceStore} in one process; `RedisNonceStore` from `@org/auth-redis`
 * when replicas must share what they have seen.
 */
export interface NonceStore {
  /**
   * Records `key` until `expiresAt` (seconds since the epoch). Resolves `true` the first time a
   * key is seen, `false` when it is already recorded and not expired. Throwing (or rejecting)
   * makes the request fail closed with 503 `replay_check_unavailable`.
   */
  useOnce(key: string, expiresAt: number): boolean | Promise<boolean>;
}
