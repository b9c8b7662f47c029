export {
  type RedisCommands,
  RedisRevocationStore,
  type RedisRevocationStoreOptions,
  type RedisRevokeSubjectOptions,
  type RedisRevokeTokenOptions,
  type RedisStoreErrorContext,
} from './redis-revocation-store.js';
