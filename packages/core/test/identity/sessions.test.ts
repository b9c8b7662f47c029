import { describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  AuthError,
  createAuthContext,
  requireKind,
  requirePermission,
  type SessionCheck,
} from '../../src/index.js';
import { bearer, codeOf, createFixture } from '../support/verifier-fixture.js';

const sessions: SessionCheck = (request) => {
  const id = request.headers['x-session'];
  if (id === undefined) return undefined;
  if (id === 'expired') throw new AuthError('token_expired', { description: 'session expired' });
  if (id === 'broken') return { subject: '' };
  return { subject: 'alice', roles: ['clerk'], permissions: ['tickets:read'], claims: { tenant: 't1' } };
};
const withSession = (id: string, token?: string) => ({
  headers: { 'x-session': id, ...(token === undefined ? {} : bearer(token).headers) },
});

describe('sessions', () => {
  it('turns a session into a user context, roles expanded, with an accepted event', async () => {
    const fixture = await createFixture({ sessions, users: true, roles: { clerk: ['orders:read'] } });
    const auth = await fixture.verifier.authenticate(withSession('s1'));
    expect(auth?.toJSON()).toMatchObject({
      kind: 'user',
      issuer: 'session',
      subject: 'alice',
      caller: undefined,
    });
    expect(auth?.canAll('orders:read', 'tickets:read')).toBe(true);
    expect(auth?.claims.tenant).toBe('t1');
    expect(auth?.expiresAt).toBe(Number.POSITIVE_INFINITY);
    expect(fixture.events).toEqual([
      { type: 'accepted', cached: false, issuer: 'session', subject: 'alice', kind: 'user', audience: [] },
    ]);
    await expect(requireKind('user')(auth)).resolves.toBeUndefined();
    await expect(requirePermission('orders:read')(auth)).resolves.toBeUndefined();
  });

  it('falls through to the bearer token when there is no session', async () => {
    const fixture = await createFixture({ sessions });
    const auth = await fixture.verifier.authenticate(bearer(await fixture.sign()));
    expect(auth?.kind).toBe('service');
    expect(await fixture.verifier.authenticate({ headers: {} }, { optional: true })).toBeUndefined();
  });

  it('never retries a rejected session as a bearer token', async () => {
    const fixture = await createFixture({ sessions });
    const error = await fixture.verifier
      .authenticate(withSession('expired', await fixture.sign()))
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'token_expired', description: 'session expired' });
    expect(fixture.events).toEqual([
      expect.objectContaining({ type: 'rejected', code: 'token_expired', kind: 'user' }),
    ]);
  });

  it('runs custom checks on session contexts', async () => {
    const fixture = await createFixture({ sessions, checks: [(auth) => auth.subject !== 'alice'] });
    expect(await codeOf(fixture.verifier.authenticate(withSession('s1')))).toBe('access_denied');
    expect(fixture.events[0]).toMatchObject({ type: 'rejected', code: 'access_denied', subject: 'alice' });
  });

  it('passes a non-AuthError through untouched (a bug in the hook is a 500)', async () => {
    const fixture = await createFixture({ sessions });
    await expect(fixture.verifier.authenticate(withSession('broken'))).rejects.toThrow(TypeError);
    expect(fixture.events).toEqual([]);
  });

  it('refuses a sessions option that is not a function', async () => {
    const fixture = await createFixture();
    expect(() => fixture.with({ sessions: 'cookie' as unknown as SessionCheck })).toThrow(AuthConfigError);
  });
});

describe('createAuthContext', () => {
  it('builds a service context whose caller is its subject, roles from the given map', () => {
    const auth = createAuthContext(
      {
        kind: 'service',
        subject: 'batch',
        issuer: 'api-keys',
        roles: ['ops', 7 as unknown as string],
        expiresAt: 10,
      },
      { roles: { ops: ['orders:*'] } },
    );
    expect(auth.toJSON()).toMatchObject({
      kind: 'service',
      caller: 'batch',
      issuer: 'api-keys',
      expiresAt: 10,
    });
    expect(auth.roles).toEqual(['ops']);
    expect(auth.can('orders:read')).toBe(true);
  });

  it('refuses an identity without subject or with an unknown kind', () => {
    expect(() => createAuthContext({ subject: '' })).toThrow(TypeError);
    expect(() => createAuthContext(null as never)).toThrow(TypeError);
    expect(() => createAuthContext({ subject: 'a', kind: 'robot' as never })).toThrow(TypeError);
  });
});
