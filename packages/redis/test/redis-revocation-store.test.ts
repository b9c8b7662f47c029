/**
 * The `RedisRevocationStore` suite on every supported `ioredis` major (the peer range is
 * `^5.4.0 || ^6.0.0`), and on ioredis 6 with RESP3-shaped replies.
 */
import { ioredis5, ioredis6, ioredis6Resp3 } from './redis-clients.js';
import { defineRevocationStoreSuite } from './revocation-store-suite.js';

defineRevocationStoreSuite(ioredis6);
defineRevocationStoreSuite(ioredis6Resp3);
defineRevocationStoreSuite(ioredis5);
