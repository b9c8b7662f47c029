import { type Cluster, Redis } from 'ioredis';
import type { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import { pino } from 'pino';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type RedisCommands,
  RedisNonceStore,
  type RedisNonceStoreOptions,
  type RedisPersistence,
  RedisRevocationStore,
  type RedisRevocationStoreOptions,
  type RedisStoreLogger,
} from '../src/index.js';

describe('types', () => {
  it('takes clients and clusters of both supported ioredis majors, with either reply mapping', () => {
    expectTypeOf<Redis>().toExtend<RedisCommands>();
    expectTypeOf<Redis<'resp3'>>().toExtend<RedisCommands>();
    expectTypeOf<Cluster>().toExtend<RedisCommands>();
    expectTypeOf<Redis5>().toExtend<RedisCommands>();
    expectTypeOf<Cluster5>().toExtend<RedisCommands>();
    expectTypeOf<Redis>().toExtend<RedisNonceStoreOptions['client']>();
    expectTypeOf<Redis5>().toExtend<RedisNonceStoreOptions['client']>();
  });

  it('takes console and a pino logger as logger', () => {
    expectTypeOf(console).toExtend<RedisStoreLogger>();
    expectTypeOf(pino()).toExtend<RedisStoreLogger>();
    expectTypeOf<RedisRevocationStoreOptions['logger']>().toEqualTypeOf<RedisStoreLogger | undefined>();
  });

  it('reports persistence', () => {
    expectTypeOf<RedisRevocationStore['checkPersistence']>().returns.toEqualTypeOf<
      Promise<RedisPersistence>
    >();
    expectTypeOf<RedisNonceStore['checkPersistence']>().returns.toEqualTypeOf<Promise<RedisPersistence>>();
    expectTypeOf<RedisPersistence['persistent']>().toEqualTypeOf<boolean | undefined>();
  });

  it('refuses unknown options at compile time too', () => {
    const client = new Redis();
    // @ts-expect-error: a typo of oneTimeTokens
    new RedisRevocationStore({ client, oneTimeToken: true });
    // @ts-expect-error: a typo of logger
    new RedisNonceStore({ client, loger: console });
    // @ts-expect-error: a logger needs debug too
    new RedisNonceStore({ client, logger: { warn() {}, info() {} } });
  });
});
