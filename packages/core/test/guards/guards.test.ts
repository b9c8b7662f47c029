import { describe, expect, it } from 'vitest';
import {
  type AuthContext,
  AuthError,
  createAuthContext,
  requireAnyPermission,
  requireBoundToken,
  requireCaller,
  requireCheck,
  requireKind,
  requirePermission,
  requireRole,
} from '../../src/index.js';
import { createFixture } from '../support/verifier-fixture.js';

async function contextWith(
  claims: Record<string, unknown>,
  options = {},
): Promise<{ auth: AuthContext; events: unknown[] }> {
  const fixture = await createFixture({
    roles: { admin: ['*'], support: ['orders:read', 'tickets:*'] },
    users: true,
    ...options,
  });
  return { auth: await fixture.verifier.verify(await fixture.sign(claims)), events: fixture.events };
}

async function rejection(promise: Promise<void>): Promise<AuthError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof AuthError)) throw new Error('expected an AuthError');
  return error;
}

describe('requirePermission', () => {
  it('passes when every permission is granted, directly or by wildcard', async () => {
    const { auth } = await contextWith({ permissions: ['orders:*', 'payments:charge'] });
    await expect(requirePermission('orders:create', 'payments:charge')(auth)).resolves.toBeUndefined();
  });

  it('answers 403 insufficient_scope naming what is missing, in the description and RFC 6750 scope', async () => {
    const { auth } = await contextWith({ permissions: ['orders:read'] });
    const error = await rejection(requirePermission('orders:read', 'orders:create')(auth));
    expect(error).toMatchObject({ code: 'insufficient_permission', status: 403 });
    expect(error.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="missing permission orders:create", scope="orders:create"',
    );
    expect(error.toJSON().error_description).toBe('missing permission orders:create');
    const none = await contextWith({});
    const both = await rejection(requirePermission('orders:read', 'orders:create')(none.auth));
    expect(both.description).toBe('missing permissions orders:read orders:create');
    expect(both.headers['WWW-Authenticate']).toContain('scope="orders:read orders:create"');
  });

  it('reads OAuth scope strings too', async () => {
    const { auth } = await contextWith({ scope: 'orders:read orders:create' });
    await expect(requirePermission('orders:create')(auth)).resolves.toBeUndefined();
  });

  it('grants through the role map', async () => {
    const { auth } = await contextWith({ roles: ['support'] });
    await expect(requirePermission('tickets:close')(auth)).resolves.toBeUndefined();
    expect((await rejection(requirePermission('orders:create')(auth))).code).toBe('insufficient_permission');
    const admin = await contextWith({ roles: 'admin' });
    await expect(requirePermission('anything:at:all')(admin.auth)).resolves.toBeUndefined();
  });

  it('answers 401 missing_token on a request that was never authenticated', async () => {
    const error = await rejection(requirePermission('orders:create')(undefined));
    expect(error).toMatchObject({ code: 'missing_token', status: 401 });
    expect(error.headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('answers a request let through without token (optional mode) with its verifier realm, and audits it', async () => {
    const fixture = await createFixture({ realm: 'payments' });
    const error = await rejection(requirePermission('orders:create')(undefined, undefined, fixture.verifier));
    expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="payments"');
    expect(fixture.events).toEqual([
      {
        type: 'rejected',
        code: 'missing_token',
        status: 401,
        description: 'missing bearer token',
        requirement: 'permission orders:create',
      },
    ]);
  });

  it('refuses wildcards and malformed permissions at construction', () => {
    expect(() => requirePermission('orders:*')).toThrow(TypeError);
    expect(() => requirePermission()).toThrow(TypeError);
  });

  it('reports the rejection, with what was required, to the verifier events', async () => {
    const { auth, events } = await contextWith({ permissions: [] });
    await rejection(requirePermission('orders:create')(auth));
    expect(events.at(-1)).toMatchObject({
      type: 'rejected',
      code: 'insufficient_permission',
      status: 403,
      requirement: 'permission orders:create',
      caller: 'orders',
      kind: 'service',
    });
  });

  it('puts the verifier realm in the challenge', async () => {
    const { auth } = await contextWith({}, { realm: 'payments' });
    const error = await rejection(requirePermission('orders:create')(auth));
    expect(error.headers['WWW-Authenticate']).toContain('realm="payments"');
  });
});

describe('requireAnyPermission', () => {
  it('passes when one permission is granted', async () => {
    const { auth } = await contextWith({ permissions: ['orders:admin'] });
    await expect(requireAnyPermission('orders:read', 'orders:admin')(auth)).resolves.toBeUndefined();
    expect((await rejection(requireAnyPermission('tickets:read')(auth))).code).toBe(
      'insufficient_permission',
    );
    expect(requireAnyPermission('a:b', 'c:d').requirement).toBe('permission a:b or c:d');
    const anyOf = await rejection(requireAnyPermission('tickets:read', 'tickets:admin')(auth));
    expect(anyOf.description).toBe('requires one of the permissions tickets:read, tickets:admin');
    expect(anyOf.headers['WWW-Authenticate']).not.toContain('scope=');
  });
});

describe('requireRole', () => {
  it('passes when the token carries one of the roles', async () => {
    const { auth } = await contextWith({ roles: ['support'] });
    await expect(requireRole('admin', 'support')(auth)).resolves.toBeUndefined();
    expect((await rejection(requireRole('admin')(auth))).code).toBe('insufficient_role');
    expect(() => requireRole()).toThrow(TypeError);
  });
});

describe('requireCaller', () => {
  it('passes for an allowed calling service and refuses others with 403', async () => {
    const { auth } = await contextWith({ sub: 'spiffe://prod/ns/shop/orders' });
    await expect(requireCaller('spiffe://prod/ns/shop/*')(auth)).resolves.toBeUndefined();
    const error = await rejection(requireCaller('inventory')(auth));
    expect(error).toMatchObject({ code: 'caller_not_allowed', status: 403 });
  });

  it('never passes a user token', async () => {
    const { auth } = await contextWith({ source: undefined, sub: 'orders' });
    expect(auth.kind).toBe('user');
    expect((await rejection(requireCaller('orders')(auth))).code).toBe('caller_not_allowed');
  });

  it('reads the caller of a client certificate or a signed request the same way', async () => {
    for (const kind of ['mtls', 'hmac'] as const) {
      const auth = createAuthContext({ kind, subject: 'spiffe://prod/ns/billing/sa/api' });
      await expect(requireCaller('spiffe://prod/ns/billing/*')(auth)).resolves.toBeUndefined();
      expect((await rejection(requireCaller('orders')(auth))).code).toBe('caller_not_allowed');
    }
  });
});

describe('requireKind', () => {
  it('tells service tokens from user tokens', async () => {
    const service = await contextWith({});
    const user = await contextWith({ source: undefined });
    await expect(requireKind('service')(service.auth)).resolves.toBeUndefined();
    await expect(requireKind('user')(user.auth)).resolves.toBeUndefined();
    expect(await rejection(requireKind('service')(user.auth))).toMatchObject({
      code: 'token_kind_not_allowed',
      status: 403,
    });
    expect(() => requireKind('robot' as never)).toThrow(TypeError);
    expect(() => requireKind()).toThrow(TypeError);
  });

  it('accepts any of several kinds', async () => {
    const service = await contextWith({});
    const mtls = createAuthContext({ kind: 'mtls', subject: 'spiffe://prod/ns/a/sa/b' });
    const guard = requireKind('service', 'mtls');
    await expect(guard(service.auth)).resolves.toBeUndefined();
    await expect(guard(mtls)).resolves.toBeUndefined();
    expect(await rejection(guard(createAuthContext({ kind: 'hmac', subject: 'billing' })))).toMatchObject({
      code: 'token_kind_not_allowed',
    });
  });
});

describe('requireBoundToken', () => {
  const thumbprint = 'A'.repeat(43);
  // Contexts as the verifier makes them once a binding passed (its checks are tested with it).
  const bound = (cnf: Record<string, string>) => createAuthContext({ subject: 'x', claims: { cnf } });

  it('passes a token bound to a certificate or a DPoP key, or to the one asked for', async () => {
    await expect(requireBoundToken()(bound({ jkt: thumbprint }))).resolves.toBeUndefined();
    await expect(requireBoundToken()(bound({ 'x5t#S256': thumbprint }))).resolves.toBeUndefined();
    await expect(requireBoundToken('dpop')(bound({ jkt: thumbprint }))).resolves.toBeUndefined();
    await expect(
      requireBoundToken('certificate')(bound({ 'x5t#S256': thumbprint })),
    ).resolves.toBeUndefined();
    expect(await rejection(requireBoundToken('dpop')(bound({ 'x5t#S256': thumbprint })))).toMatchObject({
      code: 'token_kind_not_allowed',
    });
  });

  it('refuses a bearer token with 403 "sender-constrained token required"', async () => {
    const { auth } = await contextWith({});
    expect(await rejection(requireBoundToken()(auth))).toMatchObject({
      code: 'token_kind_not_allowed',
      status: 403,
      description: 'sender-constrained token required',
    });
  });

  it('counts a client-certificate identity as bound to its certificate, a signed request not', async () => {
    const mtls = createAuthContext({ kind: 'mtls', subject: 'a', claims: { 'x5t#S256': thumbprint } });
    await expect(requireBoundToken('certificate')(mtls)).resolves.toBeUndefined();
    const hmac = createAuthContext({ kind: 'hmac', subject: 'billing' });
    expect((await rejection(requireBoundToken()(hmac))).code).toBe('token_kind_not_allowed');
  });

  it('refuses an unknown binding at construction', () => {
    expect(() => requireBoundToken('mtls' as never)).toThrow('requireBoundToken: expected');
  });
});

describe('requireCheck', () => {
  it('runs an async custom requirement with the whole context and the request', async () => {
    const { auth } = await contextWith({ tenant: 'acme' });
    const sameTenant = requireCheck(
      'same tenant',
      async (ctx, request) => ctx.claims.tenant === request?.headers['x-tenant'],
    );
    await expect(sameTenant(auth, { headers: { 'x-tenant': 'acme' } })).resolves.toBeUndefined();
    expect(await rejection(sameTenant(auth, { headers: { 'x-tenant': 'globex' } }))).toMatchObject({
      code: 'access_denied',
      status: 403,
    });
    expect(sameTenant.requirement).toBe('same tenant');
    expect(() => requireCheck('x', undefined as never)).toThrow(TypeError);
  });
});
