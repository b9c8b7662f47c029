import { describe, expect, it } from 'vitest';
import { resolveAdapterOptions } from '../../src/adapter/index.js';
import { relevance } from '../../src/authn/compose.js';
import {
  AuthConfigError,
  AuthError,
  type Authenticator,
  allOf,
  anyOf,
  createAuthContext,
  requirePermission,
} from '../../src/index.js';
import { bearer, createFixture, NOW } from '../support/verifier-fixture.js';

/** A custom authenticator: `x-api-key: good` is the batch service; any other key is refused. */
const apiKeys: Authenticator = {
  async authenticate(request) {
    const key = request.headers['x-api-key'];
    if (key === undefined) return undefined;
    if (key !== 'good') throw new AuthError('invalid_signature', { description: 'invalid API key' });
    return createAuthContext({
      kind: 'service',
      subject: 'batch',
      issuer: 'api-keys',
      permissions: ['orders:read'],
    });
  },
};
const failing = (code: ConstructorParameters<typeof AuthError>[0]): Authenticator => ({
  authenticate: () => Promise.reject(new AuthError(code)),
});
const request = (headers: Record<string, string> = {}) => ({ headers });

async function setup() {
  const fixture = await createFixture({ realm: 'payments' });
  const token = await fixture.sign();
  const expired = await fixture.sign({ iat: NOW - 600, exp: NOW - 300, jti: 'old' });
  return { fixture, token, expired };
}

describe('anyOf', () => {
  it('accepts the first authenticator that accepts', async () => {
    const { fixture, token, expired } = await setup();
    const any = anyOf(fixture.verifier, apiKeys);
    expect((await any.authenticate(bearer(token)))?.caller).toBe('orders');
    expect((await any.authenticate(request({ 'x-api-key': 'good' })))?.caller).toBe('batch');
    const both = { headers: { ...bearer(expired).headers, 'x-api-key': 'good' } };
    expect((await any.authenticate(both))?.caller).toBe('batch');
  });

  it('answers the most relevant failure, not the last one', async () => {
    const { fixture, expired } = await setup();
    const any = anyOf(fixture.verifier, apiKeys);
    await expect(any.authenticate(bearer(expired))).rejects.toMatchObject({ code: 'token_expired' });
    await expect(any.authenticate(request({ 'x-api-key': 'bad' }))).rejects.toMatchObject({
      description: 'invalid API key',
    });
    await expect(
      anyOf(failing('invalid_signature'), failing('keys_unavailable')).authenticate(request()),
    ).rejects.toMatchObject({
      code: 'keys_unavailable',
    });
    await expect(
      anyOf(failing('caller_not_allowed'), failing('token_expired')).authenticate(request()),
    ).rejects.toMatchObject({
      code: 'caller_not_allowed',
    });
    // A tie goes to the first.
    await expect(
      anyOf(failing('token_expired'), failing('invalid_signature')).authenticate(request()),
    ).rejects.toMatchObject({
      code: 'token_expired',
    });
  });

  it('answers missing credentials with the realm and events of its first verifier', async () => {
    const { fixture } = await setup();
    const any = anyOf(apiKeys, fixture.verifier);
    const error = await any.authenticate(request()).catch((e) => e);
    expect(error).toMatchObject({
      code: 'missing_token',
      description: 'missing credentials',
      realm: 'payments',
    });
    expect(fixture.events.at(-1)).toMatchObject({ type: 'rejected', code: 'missing_token' });
    expect(await any.authenticate(request(), { optional: true })).toBeUndefined();
    // Guards on a custom context find the realm through the composition.
    const batch = await any.authenticate(request({ 'x-api-key': 'good' }));
    await expect(requirePermission('orders:write')(batch, undefined, any)).rejects.toMatchObject({
      realm: 'payments',
    });
  });

  it('throws errors that are not AuthErrors at once', async () => {
    const bug = new Error('bug');
    const any = anyOf({ authenticate: () => Promise.reject(bug) }, apiKeys);
    await expect(any.authenticate(request({ 'x-api-key': 'good' }))).rejects.toBe(bug);
  });
});

describe('allOf', () => {
  it('needs every authenticator and resolves to the first context', async () => {
    const { fixture, token, expired } = await setup();
    const all = allOf(fixture.verifier, apiKeys);
    const auth = await all.authenticate({ headers: { ...bearer(token).headers, 'x-api-key': 'good' } });
    expect(auth?.caller).toBe('orders');
    await expect(all.authenticate(bearer(token))).rejects.toMatchObject({
      code: 'missing_token',
      description: 'missing credentials',
    });
    await expect(
      all.authenticate({ headers: { ...bearer(expired).headers, 'x-api-key': 'good' } }),
    ).rejects.toMatchObject({
      code: 'token_expired',
    });
    await expect(
      all.authenticate({ headers: { ...bearer(token).headers, 'x-api-key': 'bad' } }),
    ).rejects.toMatchObject({
      description: 'invalid API key',
    });
    expect(await all.authenticate(request(), { optional: true })).toBeUndefined();
    await expect(allOf(apiKeys).authenticate(request())).rejects.toMatchObject({
      code: 'missing_token',
      realm: undefined,
    });
  });
});

describe('composition options', () => {
  it('are validated', () => {
    expect(() => anyOf()).toThrow(AuthConfigError);
    expect(() => allOf({} as Authenticator)).toThrow(/allOf\[0\]/);
    expect(relevance(new AuthError('malformed_request'))).toBe(2);
  });

  it('are accepted by adapters as { authenticator }', async () => {
    const { fixture } = await setup();
    const authenticator = anyOf(fixture.verifier, apiKeys);
    expect(resolveAdapterOptions({ authenticator }).authenticator).toBe(authenticator);
    expect(() => resolveAdapterOptions({ authenticator: {} } as never)).toThrow(/authenticator/);
    expect(() => resolveAdapterOptions({ authenticator, audience: 'x' } as never)).toThrow(
      /either an authenticator/,
    );
  });
});

describe('failures of custom authenticators', () => {
  it('get the realm of the composition and an audit event', async () => {
    const { fixture, token } = await setup();
    const any = await anyOf(fixture.verifier, apiKeys)
      .authenticate(request({ 'x-api-key': 'bad' }))
      .catch((e) => e);
    expect(any).toMatchObject({ description: 'invalid API key', realm: 'payments' });
    expect(fixture.events.at(-1)).toMatchObject({ type: 'rejected', description: 'invalid API key' });
    const both = { headers: { ...bearer(token).headers, 'x-api-key': 'bad' } };
    const all = await allOf(fixture.verifier, apiKeys)
      .authenticate(both)
      .catch((e) => e);
    expect(all).toMatchObject({ description: 'invalid API key', realm: 'payments' });
    await expect(allOf(failing('token_expired')).authenticate(request())).rejects.toMatchObject({
      realm: undefined,
    });
    const bug = new Error('bug');
    await expect(allOf({ authenticate: () => Promise.reject(bug) }).authenticate(request())).rejects.toBe(
      bug,
    );
  });
});
