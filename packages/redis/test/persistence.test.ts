/**
 * The persistence checks of both stores on every supported `ioredis` major (the peer range is
 * `^5.4.0 || ^6.0.0`), and on ioredis 6 with RESP3-shaped replies (`CONFIG GET` answers a map).
 */
import { definePersistenceSuite } from './persistence-suite.js';
import { ioredis5, ioredis6, ioredis6Resp3 } from './redis-clients.js';

definePersistenceSuite(ioredis6);
definePersistenceSuite(ioredis6Resp3);
definePersistenceSuite(ioredis5);
