import { describe, expect, it } from 'vitest';
import { adaptGuards, bindingOf, bindRequest, resolveAdapterOptions } from '../../src/adapter/index.js';
import { AuthConfigError, type Guard, type Verifier } from '../../src/index.js';
import { createFixture } from '../support/verifier-fixture.js';

describe('resolveAdapterOptions', () => {
  it('builds one verifier from core options and applies the defaults', async () => {
    const { jwk } = await createFixture();
    const resolved = resolveAdapterOptions(
      { issuers: { issuer: 'https://orders.internal', jwks: { keys: [jwk] } }, audience: 'payments' },
      ['respond', 'next'],
    );
    expect(resolved).toMatchObject({ optional: false, onError: 'respond', own: {} });
    expect((resolved.verifier as Verifier).health().ready).toBe(true);
  });

  it('shares an existing verifier', async () => {
    const { verifier } = await createFixture();
    const resolved = resolveAdapterOptions({ verifier, optional: true, onError: 'throw' }, [
      'respond',
      'throw',
    ]);
    expect(resolved).toMatchObject({ verifier, optional: true, onError: 'throw' });
  });

  it("separates the adapter's own options", async () => {
    const { verifier } = await createFixture();
    const options = { verifier, global: false } as never;
    expect(resolveAdapterOptions(options, ['respond'], ['global']).own).toEqual({ global: false });
  });

  it.each<[string, (verifier: Verifier) => unknown, string]>([
    ['no options', () => undefined, 'options'],
    ['a non-boolean optional', (verifier) => ({ verifier, optional: 'yes' }), 'optional'],
    ['an unknown onError mode', (verifier) => ({ verifier, onError: 'ignore' }), 'onError'],
    ['a verifier that is not one', () => ({ verifier: {} }), 'verifier'],
    ['a verifier and verifier options', (verifier) => ({ verifier, audience: 'payments' }), 'verifier'],
    ['bad core options', () => ({ issuers: [] }), 'issuers'],
  ])('refuses %s at construction', async (_, options, option) => {
    const { verifier } = await createFixture();
    let error: unknown;
    try {
      resolveAdapterOptions(options(verifier) as never, ['respond', 'next']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).option).toBe(option);
  });

  it('says which onError modes exist', () => {
    expect(() => resolveAdapterOptions({ onError: 'x' } as never, ['respond', 'next'])).toThrow(
      "onError: expected 'respond' or 'next' (default 'respond')",
    );
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

describe('bindRequest', () => {
  it('remembers on the request which authenticator saw it and how to answer, per request', () => {
    const verifier = { authenticate: async () => undefined };
    const first = {};
    const second = {};
    bindRequest(first, { verifier, onError: 'respond' });
    expect(bindingOf(first)).toEqual({ verifier, onError: 'respond' });
    expect(bindingOf(second)).toBeUndefined();
    expect(Object.keys(first)).toEqual([]);
  });
});
