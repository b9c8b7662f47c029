export { RedisNonceStore, type RedisNonceStoreOptions } from './redis-nonce-store.js';
export {
  type RedisCommands,
  RedisRevocationStore,
  type RedisRevocationStoreOptions,
  type RedisRevokeSubjectOptions,
  type RedisRevokeTokenOptions,
  type RedisStoreErrorContext,
} from './redis-revocation-store.js';
