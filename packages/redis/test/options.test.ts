import { Writable } from 'node:stream';
import { AuthConfigError } from '@org/auth-core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RedisNonceStore, RedisRevocationStore } from '../src/index.js';

/** A client that answers like a Redis without persistence and records every call. */
function fakeClient() {
  const calls: string[] = [];
  return {
    calls,
    mget: async (...keys: string[]) => {
      calls.push('mget');
      return keys.map(() => null);
    },
    set: async () => {
      calls.push('set');
      return 'OK';
    },
    del: async () => {
      calls.push('del');
      return 0;
    },
    config: async (_subcommand: 'GET', name: string) => {
      calls.push(`config get ${name}`);
      return [name, name === 'appendonly' ? 'no' : ''];
    },
  };
}

function configError(build: () => unknown): AuthConfigError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return error as AuthConfigError;
  }
  throw new Error('expected a configuration error');
}

describe('RedisRevocationStore options', () => {
  it('refuses an invalid option, naming it', () => {
    const client = fakeClient();
    expect(() => new RedisRevocationStore(undefined as never)).toThrow('options: expected an object');
    expect(() => new RedisRevocationStore({ client: {} as never })).toThrow(
      'client: expected a connected ioredis client',
    );
    expect(() => new RedisRevocationStore({ client, timeout: 0 })).toThrow('timeout: expected');
    expect(() => new RedisRevocationStore({ client, leeway: -1 })).toThrow('leeway: expected');
    expect(() => new RedisRevocationStore({ client, oneTimeTokens: 'true' as never })).toThrow(
      'oneTimeTokens: expected true or false',
    );
    expect(() => new RedisRevocationStore({ client, failOpen: 1 as never })).toThrow(
      'failOpen: expected true or false',
    );
    expect(() => new RedisRevocationStore({ client, now: 0 as never })).toThrow('now: expected a function');
    expect(configError(() => new RedisRevocationStore({ client, timeout: -5 })).option).toBe('timeout');
  });

  it('refuses an unknown option, suggesting the one meant', () => {
    const client = fakeClient();
    const error = configError(() => new RedisRevocationStore({ client, oneTimeToken: true } as never));
    expect(error.option).toBe('oneTimeToken');
    expect(error.code).toBe('invalid_configuration');
    expect(error.message).toBe(
      'oneTimeToken: unknown option (did you mean oneTimeTokens?); known options are client, prefix, oneTimeTokens, failOpen, timeout, leeway, onError, logger, now',
    );
    expect(() => new RedisRevocationStore({ client, loger: console } as never)).toThrow(
      'loger: unknown option (did you mean logger?)',
    );
    expect(() => new RedisRevocationStore({ client, redisUrl: 'redis://x' } as never)).toThrow(
      /^redisUrl: unknown option; known options are/,
    );
  });

  it('refuses an unknown option of its methods, before writing anything', async () => {
    const client = fakeClient();
    const store = new RedisRevocationStore({ client });
    await expect(store.revokeToken('t-1', { expiresAt: 2e9, isuser: 'x' } as never)).rejects.toThrow(
      'options.isuser: unknown option (did you mean issuer?); known options here are expiresAt, issuer',
    );
    await expect(store.revokeSubject('orders', { untill: 2e9 } as never)).rejects.toThrow(
      'options.untill: unknown option (did you mean until?)',
    );
    await expect(store.unrevokeToken('t-1', { issuers: 'x' } as never)).rejects.toThrow(
      'options.issuers: unknown option (did you mean issuer?)',
    );
    await expect(store.unrevokeSubject('orders', { issuers: 'x' } as never)).rejects.toThrow(
      'options.issuers: unknown option (did you mean issuer?)',
    );
    await expect(store.revokeToken('t-1', undefined as never)).rejects.toThrow(
      'options: expected an object such as { expiresAt: exp }',
    );
    expect(client.calls).toEqual([]);
  });
});

describe('RedisNonceStore options', () => {
  it('refuses an invalid or unknown option, naming it', () => {
    const client = fakeClient();
    expect(() => new RedisNonceStore({ client: {} as never })).toThrow(
      'client: expected a connected ioredis client',
    );
    expect(() => new RedisNonceStore({ client, timeout: 0 })).toThrow('timeout: expected');
    expect(() => new RedisNonceStore({ client, prefx: 'n:' } as never)).toThrow(
      'prefx: unknown option (did you mean prefix?); known options are client, prefix, timeout, onError, logger, now',
    );
    expect(configError(() => new RedisNonceStore({ client, onError: 'log' as never })).option).toBe(
      'onError',
    );
  });
});

describe('the logger option', () => {
  const stores = {
    RedisRevocationStore: (logger: unknown) =>
      new RedisRevocationStore({ client: fakeClient(), logger: logger as never }),
    RedisNonceStore: (logger: unknown) =>
      new RedisNonceStore({ client: fakeClient(), logger: logger as never }),
  };

  for (const [name, build] of Object.entries(stores)) {
    it(`${name} refuses a logger without warn, info and debug methods, naming what is missing`, () => {
      const expected =
        'logger: expected an object with warn, info and debug methods, such as console or a pino logger';
      expect(() => build({})).toThrow(`${expected} (missing: warn, info, debug)`);
      expect(() => build({ warn() {}, info() {} })).toThrow(`${expected} (missing: debug)`);
      expect(() => build(console.warn)).toThrow(`${expected} (missing: warn, info, debug)`);
      expect(() => build('console')).toThrow(expected);
      expect(() => build(null)).toThrow(expected);
      expect(configError(() => build({ warn: 'yes' })).option).toBe('logger');
      expect(() => build(console)).not.toThrow();
      expect(() => build(pino({ enabled: false }))).not.toThrow();
    });
  }

  it('construction asks Redis nothing, logger or not', () => {
    const client = fakeClient();
    new RedisRevocationStore({ client, logger: console, oneTimeTokens: true });
    new RedisNonceStore({ client, logger: console });
    expect(client.calls).toEqual([]);
  });

  it('a pino logger gets the warning as its message, at level warn', async () => {
    const lines: { level: number; msg: string }[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const client = fakeClient();
    const store = new RedisRevocationStore({ client, logger: pino({ base: null }, destination) });
    expect(await store.checkPersistence()).toEqual({ persistent: false, appendonly: 'no', save: '' });
    expect(client.calls).toEqual(['config get appendonly', 'config get save']);
    expect(lines).toEqual([
      {
        level: 40,
        time: expect.any(Number),
        msg: expect.stringMatching(/^RedisRevocationStore: Redis does not persist its data/),
      },
    ]);
  });

  it('a client without config() is reported as undetermined, at info', async () => {
    const messages: string[] = [];
    const { config: _config, ...client } = fakeClient();
    const logger = { warn: () => {}, info: (message: string) => messages.push(message), debug: () => {} };
    const nonces = new RedisNonceStore({ client, logger });
    expect(await nonces.checkPersistence()).toEqual({
      persistent: undefined,
      reason: 'the client has no config() method',
    });
    expect(messages).toEqual([
      expect.stringMatching(/^RedisNonceStore: could not determine whether Redis persists/),
    ]);
  });
});
