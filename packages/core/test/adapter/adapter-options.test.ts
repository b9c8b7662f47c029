import { describe, expect, it } from 'vitest';
import {
  adaptGuards,
  prepareAdapter,
  receiveBody,
  rejectionResponse,
  resolveAdapterOptions,
  SignedBody,
} from '../../src/adapter/index.js';
import {
  AuthConfigError,
  AuthError,
  anyOf,
  createHmacAuthenticator,
  createVerifier,
  type Guard,
  type Verifier,
} from '../../src/index.js';
import { createFixture } from '../support/verifier-fixture.js';

describe('resolveAdapterOptions', () => {
  it('builds one verifier from core options and applies the defaults', async () => {
    const { jwk } = await createFixture();
    const resolved = resolveAdapterOptions({
      issuers: { issuer: 'https://orders.internal', jwks: { keys: [jwk] } },
      audience: 'payments',
    });
    expect(resolved).toMatchObject({
      optional: false,
      onError: 'respond',
      maxBodyBytes: 1024 * 1024,
      flags: {},
    });
    expect((resolved.authenticator as Verifier).health().ready).toBe(true);
  });

  it('shares an existing verifier', async () => {
    const { verifier } = await createFixture();
    const resolved = resolveAdapterOptions({
      verifier,
      optional: true,
      onError: 'forward',
      maxBodyBytes: 10,
    });
    expect(resolved).toMatchObject({
      authenticator: verifier,
      optional: true,
      onError: 'forward',
      maxBodyBytes: 10,
    });
  });

  it("separates the adapter's own flags and applies their defaults", async () => {
    const { verifier } = await createFixture();
    expect(resolveAdapterOptions({ verifier, global: false } as never, { global: true }).flags).toEqual({
      global: false,
    });
    expect(resolveAdapterOptions({ verifier }, { global: true }).flags).toEqual({ global: true });
    expect(() => resolveAdapterOptions({ verifier, global: 0 } as never, { global: true })).toThrow(
      'global: expected true or false',
    );
  });

  it.each<[string, (verifier: Verifier) => unknown, string]>([
    ['no options', () => undefined, 'options'],
    ['empty options', () => ({}), 'options'],
    ['only adapter options', () => ({ optional: true }), 'options'],
    ['a non-boolean optional', (verifier) => ({ verifier, optional: 'yes' }), 'optional'],
    ['an unknown onError mode', (verifier) => ({ verifier, onError: 'ignore' }), 'onError'],
    ['a zero maxBodyBytes', (verifier) => ({ verifier, maxBodyBytes: 0 }), 'maxBodyBytes'],
    ['a verifier that is not one', () => ({ verifier: {} }), 'verifier'],
    ['a verifier and verifier options', (verifier) => ({ verifier, audience: 'payments' }), 'verifier'],
    ['bad core options', () => ({ issuers: [] }), 'issuers'],
    ['a typo', (verifier) => ({ verifier, optinal: true }), 'optinal'],
  ])('refuses %s at construction', async (_, options, option) => {
    const { verifier } = await createFixture();
    let error: unknown;
    try {
      resolveAdapterOptions(options(verifier) as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).option).toBe(option);
  });

  it('says the same thing for missing options in every adapter', () => {
    const message =
      'options: expected verifier options ({ issuers, audience }), { verifier: createVerifier(...) } or { authenticator: anyOf(...) }';
    expect(() => resolveAdapterOptions(undefined)).toThrow(message);
    expect(() => resolveAdapterOptions({} as never, { global: true })).toThrow(message);
  });

  it('says which onError modes exist, and what the modes of 0.1 are called now', () => {
    expect(() => resolveAdapterOptions({ onError: 'x' } as never)).toThrow(
      "onError: expected 'respond' (default) or 'forward'",
    );
    expect(() => resolveAdapterOptions({ onError: 'next' } as never)).toThrow("('next' is now 'forward')");
    expect(() => resolveAdapterOptions({ onError: 'throw' } as never)).toThrow("('throw' is now 'forward')");
  });

  it("lists the adapter's own options, the kit's and the verifier's for an unknown key", async () => {
    const { verifier } = await createFixture();
    expect(() => resolveAdapterOptions({ verifier, globl: true } as never, { global: true })).toThrow(
      /^globl: unknown option \(did you mean global\?\); known options are global, optional, onError, maxBodyBytes, verifier, authenticator, issuers, .*, audience, .*policies/,
    );
    expect(() => resolveAdapterOptions({ verifier, onErorr: 'respond' } as never)).toThrow(
      /did you mean onError\?/,
    );
  });
});

describe('resolveAdapterOptions for a transport other than HTTP', () => {
  it('refuses what only means something over HTTP, naming the option and the transport', async () => {
    const { jwk } = await createFixture();
    const options = {
      issuers: { issuer: 'https://orders.internal', jwks: { keys: [jwk] } },
      audience: 'payments',
    };
    const refused = (given: object, message: RegExp) => {
      expect(() => resolveAdapterOptions(given as never, {}, 'gRPC')).toThrow(AuthConfigError);
      expect(() => resolveAdapterOptions(given as never, {}, 'gRPC')).toThrow(message);
    };
    refused({ ...options, onError: 'forward' }, /^onError: gRPC has no error handler to forward to/);
    refused(
      { ...options, maxBodyBytes: 10 },
      /^maxBodyBytes: only applies to HMAC-signed HTTP bodies, which gRPC/,
    );
    refused({ ...options, dpop: {} }, /^dpop: DPoP proofs sign an HTTP method and URL, which gRPC calls/);
    refused({ verifier: createVerifier({ ...options, dpop: {} }) }, /^verifier: DPoP proofs/);
    const hmac = createHmacAuthenticator({ services: { billing: { secrets: ['s'.repeat(32)] } } });
    refused(
      { authenticator: hmac },
      /^authenticator: HMAC-signed requests cover an HTTP method, target and body/,
    );
    refused({ authenticator: anyOf(createVerifier(options), hmac) }, /^authenticator: HMAC-signed requests/);
    expect(resolveAdapterOptions(options, {}, 'gRPC').onError).toBe('respond');
    // Over HTTP the same options are fine.
    expect(() =>
      resolveAdapterOptions({ ...options, onError: 'forward', maxBodyBytes: 10, dpop: {} }),
    ).not.toThrow();
  });
});

describe('adaptGuards', () => {
  it("turns every core guard into the framework's handler, validating arguments at once", async () => {
    const made: Guard[] = [];
    const guards = adaptGuards((guard) => {
      made.push(guard);
      return guard.requirement;
    });
    expect([
      guards.requirePermission('orders:create'),
      guards.requireAnyPermission('a:b', 'c:d'),
      guards.requireRole('admin'),
      guards.requireCaller('orders'),
      guards.requireKind('service'),
      guards.requireCheck('same tenant', () => true),
      guards.requireUser(),
      guards.requireUserPermission('orders:read'),
      guards.requireBoundToken('dpop'),
    ]).toEqual([
      'permission orders:create',
      'permission a:b or c:d',
      'role admin',
      'caller orders',
      'kind service',
      'same tenant',
      'a user',
      'user permission orders:read',
      'token bound to a DPoP key',
    ]);
    expect(() => guards.requirePermission('orders:*')).toThrow(TypeError);
    const fixture = await createFixture();
    const auth = await fixture.verifier.verify(await fixture.sign());
    await expect(made[3]?.(auth)).resolves.toBeUndefined();
  });
});

describe('prepareAdapter', () => {
  it('shares one state between requests unless bodies are signed', async () => {
    const { verifier } = await createFixture();
    const adapter = prepareAdapter({ verifier, onError: 'forward' });
    const state = adapter.enter(undefined);
    expect(state).toEqual({
      authenticator: verifier,
      onError: 'forward',
      maxBodyBytes: 1024 * 1024,
      body: undefined,
    });
    expect(adapter.enter(undefined)).toBe(state);
    expect(Object.isFrozen(state)).toBe(true);
  });

  it('gives each signed request its own body, keeping one a parser reported first', () => {
    const signed = { signsBodies: true, authenticate: async () => undefined };
    const adapter = prepareAdapter({ authenticator: signed, maxBodyBytes: 64 });
    const first = adapter.enter(undefined);
    expect(first.body).toBeInstanceOf(SignedBody);
    expect(adapter.enter(undefined).body).not.toBe(first.body);
    const early = receiveBody(undefined, '{"qty":2}');
    expect(early.authenticator).toBeUndefined();
    const entered = adapter.enter(early);
    expect(entered).toMatchObject({ authenticator: signed, maxBodyBytes: 64 });
    expect(entered.body).toBe(early.body);
  });

  it('passes the optional flag and the body to the authenticator', async () => {
    const seen: unknown[] = [];
    const authenticator = {
      signsBodies: true,
      authenticate: async (_request: unknown, options: unknown) => {
        seen.push(options);
        return undefined;
      },
    };
    const adapter = prepareAdapter({ authenticator, optional: true });
    const state = adapter.enter(undefined);
    await adapter.authenticate({ headers: {} }, state);
    expect(seen).toEqual([{ optional: true, body: state.body }]);
    expect(adapter.cached({ headers: {} })).toBeUndefined();
  });
});

describe('rejectionResponse', () => {
  it('answers AuthErrors unless the request forwards them, and never answers other errors', () => {
    const error = new AuthError('missing_token', { realm: 'orders' });
    const forward = {
      authenticator: undefined,
      onError: 'forward',
      maxBodyBytes: 1,
      body: undefined,
    } as const;
    expect(rejectionResponse(error, undefined)).toEqual({
      status: 401,
      headers: error.headers,
      body: error.toJSON(),
    });
    expect(rejectionResponse(error, forward)).toBeUndefined();
    expect(rejectionResponse(new Error('bug'), undefined)).toBeUndefined();
  });
});
