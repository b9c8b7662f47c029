export type { RedisPersistence } from './persistence-check.js';
export type { RedisCommands } from './redis-commands.js';
export { RedisNonceStore, type RedisNonceStoreOptions } from './redis-nonce-store.js';
export {
  RedisRevocationStore,
  type RedisRevocationStoreOptions,
  type RedisRevokeSubjectOptions,
  type RedisRevokeTokenOptions,
  type RedisStoreErrorContext,
} from './redis-revocation-store.js';
export type { RedisStoreLogger } from './store-logger.js';
