import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  type DelegationOptions,
  MemoryRevocationStore,
  requireUser,
  requireUserPermission,
} from '../../src/index.js';
import { bearer, codeOf, createFixture, NOW, serviceClaims } from '../support/verifier-fixture.js';

const STS = 'https://sts.internal';

async function setup(delegation: DelegationOptions = { tokenExchangeIssuers: [STS] }, extra = {}) {
  const sts = await generateKeyPair('ES256');
  const stsJwk = { ...(await exportJWK(sts.publicKey)), kid: 's1', alg: 'ES256', use: 'sig' };
  const base = await createFixture();
  const verifier = base.with({
    issuers: [
      { issuer: 'https://orders.internal', jwks: { keys: [base.jwk] } },
      { issuer: STS, jwks: { keys: [stsJwk] } },
    ],
    users: true,
    services: { callers: ['orders', 'billing'] },
    delegation,
    ...extra,
  });
  const exchanged = (claims: Record<string, unknown> = {}) =>
    new SignJWT({
      iss: STS,
      sub: 'alice',
      aud: 'payments',
      iat: NOW,
      exp: NOW + 300,
      act: { sub: 'orders' },
      scope: 'orders:read',
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 's1' })
      .sign(sts.privateKey);
  const userToken = (claims: Record<string, unknown> = {}) =>
    base.sign({ source: undefined, sub: 'alice', permissions: ['orders:read'], jti: 'user-1', ...claims });
  return { base, verifier, exchanged, userToken };
}

const forward = (serviceToken: string, userToken: string | string[]) => ({
  headers: { ...bearer(serviceToken).headers, 'x-user-token': userToken },
});

describe('forwarded user token', () => {
  it('exposes the calling service and the verified user separately', async () => {
    const { base, verifier, userToken } = await setup();
    const auth = await verifier.authenticate(forward(await base.sign(), await userToken()));
    expect(auth?.kind).toBe('service');
    expect(auth?.caller).toBe('orders');
    expect(auth?.user?.subject).toBe('alice');
    expect(auth?.user?.can('orders:read')).toBe(true);
    expect(auth?.can('orders:read')).toBe(false);
    expect(auth?.toJSON()).toMatchObject({ caller: 'orders', user: { kind: 'user', subject: 'alice' } });
    await expect(requireUser()(auth)).resolves.toBeUndefined();
    await expect(requireUserPermission('orders:read')(auth)).resolves.toBeUndefined();
    expect(await codeOf(requireUserPermission('orders:write')(auth))).toBe('insufficient_permission');
  });

  it('verifies the user token with the users rules and reports its own error', async () => {
    const { base, verifier, userToken } = await setup();
    const expired = await userToken({ iat: NOW - 600, exp: NOW - 300 });
    expect(await codeOf(verifier.authenticate(forward(await base.sign(), expired)))).toBe('token_expired');
    const service = await base.sign({ jti: 'other' });
    expect(await codeOf(verifier.authenticate(forward(await base.sign(), service)))).toBe(
      'invalid_token_type',
    );
  });

  it('refuses a forwarded token next to a user token, several or empty ones', async () => {
    const { base, verifier, userToken } = await setup();
    const user = await userToken();
    expect(await codeOf(verifier.authenticate(forward(user, user)))).toBe('malformed_request');
    expect(await codeOf(verifier.authenticate(forward(await base.sign(), [user, user])))).toBe(
      'malformed_request',
    );
    expect(await codeOf(verifier.authenticate(forward(await base.sign(), ' ')))).toBe('malformed_request');
  });

  it('ignores the header when turned off', async () => {
    const { base, verifier, userToken } = await setup({ userTokenHeader: false });
    const auth = await verifier.authenticate(forward(await base.sign(), await userToken()));
    expect(auth?.user).toBeUndefined();
    expect(await codeOf(requireUser()(auth))).toBe('token_kind_not_allowed');
  });
});

describe('token exchange (act claim)', () => {
  it('names the acting service as caller and the subject as user', async () => {
    const { base, verifier, exchanged } = await setup();
    const auth = await verifier.authenticate(bearer(await exchanged()));
    expect(auth).toMatchObject({ kind: 'service', caller: 'orders', subject: 'orders' });
    expect(auth?.user).toMatchObject({ kind: 'user', subject: 'alice', caller: undefined });
    expect(base.events.at(-1)).toMatchObject({ type: 'accepted', caller: 'orders', user: 'alice' });
    // The second time comes from the cache, with the same answer.
    expect((await verifier.authenticate(bearer(await exchanged())))?.user?.subject).toBe('alice');
  });

  it("is revoked by its user's subject, not by the acting service's", async () => {
    const revocation = new MemoryRevocationStore();
    const { verifier, exchanged } = await setup(undefined, { revocation });
    revocation.revokeSubject('orders', { until: Date.now() / 1000 + 3600 });
    await expect(verifier.authenticate(bearer(await exchanged()))).resolves.toBeDefined();
    revocation.revokeSubject('alice', { until: Date.now() / 1000 + 3600 });
    expect(await codeOf(verifier.authenticate(bearer(await exchanged({ jti: 'x2' }))))).toBe('token_revoked');
  });

  it("applies the services' caller allow-list to the acting service", async () => {
    const { verifier, exchanged } = await setup();
    expect(await codeOf(verifier.authenticate(bearer(await exchanged({ act: { sub: 'reporting' } }))))).toBe(
      'caller_not_allowed',
    );
  });

  it('refuses an act claim from any other issuer: a service cannot invent a user', async () => {
    const { base, verifier } = await setup();
    const forged = await base.sign({ sub: 'alice', act: { sub: 'orders' } });
    expect(await codeOf(verifier.authenticate(bearer(forged)))).toBe('invalid_issuer');
  });

  it('refuses a malformed act claim, and delegated tokens when service tokens are off', async () => {
    const { verifier, exchanged } = await setup();
    expect(await codeOf(verifier.authenticate(bearer(await exchanged({ act: 'orders' }))))).toBe(
      'invalid_claim',
    );
    const { verifier: usersOnly, exchanged: again } = await setup(undefined, { services: false });
    expect(await codeOf(usersOnly.authenticate(bearer(await again())))).toBe('invalid_token_type');
  });

  it('leaves act uninterpreted without the delegation option (unchanged behaviour)', async () => {
    const fixture = await createFixture({ users: true });
    const token = await fixture.sign({
      ...serviceClaims(),
      source: undefined,
      sub: 'alice',
      act: { sub: 'x' },
    });
    expect((await fixture.verifier.verify(token)).kind).toBe('user');
  });
});

describe('delegation options', () => {
  it('are validated', async () => {
    const base = await createFixture();
    const bad = (delegation: unknown) => () => base.with({ delegation: delegation as DelegationOptions });
    expect(bad('yes')).toThrow(AuthConfigError);
    expect(bad({ userTokenHeader: 'bad header' })).toThrow(/userTokenHeader/);
    expect(bad({ userTokenHeader: 'Authorization' })).toThrow(/userTokenHeader/);
    expect(bad({ tokenExchangeIssuers: 'sts' })).toThrow(/tokenExchangeIssuers/);
    expect(bad({ tokenExchangeIssuers: ['https://unknown'] })).toThrow(/tokenExchangeIssuers\[0\]/);
    expect(bad({ header: 'x' })).toThrow(/delegation.header/);
    expect(bad({})).not.toThrow();
  });
});
