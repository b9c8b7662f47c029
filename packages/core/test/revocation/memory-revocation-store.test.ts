import { describe, expect, it } from 'vitest';
import { AuthConfigError, MemoryRevocationStore, type RevocationStore } from '../../src/index.js';
import { codeOf, createFixture, NOW } from '../support/verifier-fixture.js';

const query = (overrides = {}) => ({
  issuer: 'https://orders.internal',
  tokenId: 'token-1',
  subject: 'orders',
  issuedAt: NOW,
  expiresAt: NOW + 300,
  ...overrides,
});

describe('MemoryRevocationStore', () => {
  it('revokes a token by jti until it expires, then forgets it', () => {
    const clock = { now: NOW };
    const store = new MemoryRevocationStore({ now: () => clock.now * 1000 });
    store.revokeToken('token-1', { expiresAt: NOW + 300 });
    expect(store.isRevoked(query())).toBe(true);
    expect(store.isRevoked(query({ tokenId: 'token-2' }))).toBe(false);
    clock.now = NOW + 301;
    expect(store.isRevoked(query())).toBe(false);
    expect(store.size).toBe(0);
  });

  it('scopes a revocation to one issuer when asked', () => {
    const store = new MemoryRevocationStore({ now: () => NOW * 1000 });
    store.revokeToken('token-1', { expiresAt: NOW + 300, issuer: 'https://other.internal' });
    expect(store.isRevoked(query())).toBe(false);
    expect(store.isRevoked(query({ issuer: 'https://other.internal' }))).toBe(true);
  });

  it('revokes every token of a subject issued up to the revocation, not later ones', () => {
    const clock = { now: NOW };
    const store = new MemoryRevocationStore({ now: () => clock.now * 1000 });
    store.revokeSubject('orders', { until: NOW + 3600 });
    expect(store.isRevoked(query({ tokenId: undefined, issuedAt: NOW - 10 }))).toBe(true);
    expect(store.isRevoked(query({ tokenId: undefined, issuedAt: undefined }))).toBe(true);
    expect(store.isRevoked(query({ tokenId: undefined, issuedAt: NOW + 10 }))).toBe(false);
    expect(store.isRevoked(query({ tokenId: undefined, subject: undefined }))).toBe(false);
    clock.now = NOW + 3601;
    expect(store.isRevoked(query({ issuedAt: NOW - 10 }))).toBe(false);
  });

  it('lifts revocations', () => {
    const store = new MemoryRevocationStore({ now: () => NOW * 1000 });
    store.revokeToken('token-1', { expiresAt: NOW + 300 });
    store.revokeSubject('orders', { until: NOW + 300 });
    store.unrevokeToken('token-1');
    store.unrevokeSubject('orders');
    expect(store.isRevoked(query())).toBe(false);
  });

  it('sweeps expired entries as it writes, so memory stays bounded', () => {
    const clock = { now: NOW };
    const store = new MemoryRevocationStore({ now: () => clock.now * 1000 });
    for (let i = 0; i < 1000; i++) store.revokeToken(`old-${i}`, { expiresAt: NOW + 1 });
    clock.now = NOW + 10;
    for (let i = 0; i < 256; i++) store.revokeToken(`new-${i}`, { expiresAt: NOW + 100 });
    expect(store.size).toBe(256);
  });

  it('validates its arguments', () => {
    const store = new MemoryRevocationStore();
    expect(() => store.revokeToken('', { expiresAt: NOW })).toThrow(AuthConfigError);
    expect(() => store.revokeToken('x', { expiresAt: 'soon' as never })).toThrow(/seconds since the epoch/);
    expect(() => store.revokeSubject('', { until: NOW })).toThrow(AuthConfigError);
  });
});

describe('revocation in the verifier', () => {
  it('rejects a revoked token with 401 token_revoked, even when its signature is cached', async () => {
    const revocation = new MemoryRevocationStore({ now: () => NOW * 1000 });
    const fixture = await createFixture({ revocation });
    const token = await fixture.sign();
    await expect(fixture.verifier.verify(token)).resolves.toBeDefined();
    revocation.revokeToken('token-1', { expiresAt: NOW + 300 });
    expect(await fixture.verifier.verify(token).catch((e) => e)).toMatchObject({
      code: 'token_revoked',
      status: 401,
      message: 'token revoked',
    });
  });

  it('fails closed with 503 when the store cannot answer', async () => {
    const broken: RevocationStore = { isRevoked: async () => Promise.reject(new Error('redis down')) };
    const fixture = await createFixture({ revocation: broken });
    const error = await fixture.verifier.verify(await fixture.sign()).catch((e) => e);
    expect(error).toMatchObject({ code: 'revocation_unavailable', status: 503 });
    expect(error.headers).toEqual({ 'Retry-After': '5' });
    expect(error.message).not.toContain('redis');
  });

  it('asks the store with the token identity', async () => {
    const seen: unknown[] = [];
    const fixture = await createFixture({
      revocation: {
        isRevoked: (q) => {
          seen.push(q);
          return false;
        },
      },
    });
    await fixture.verifier.verify(await fixture.sign());
    expect(seen).toEqual([query()]);
    expect(
      await codeOf(fixture.with({ revocation: { isRevoked: () => true } }).verify(await fixture.sign())),
    ).toBe('token_revoked');
  });
});
