import { describe, expect, it } from 'vitest';
import { codeOf, createFixture, NOW } from '../support/verifier-fixture.js';

describe('time claims', () => {
  it('accepts a token inside its validity window', async () => {
    const { verifier, sign } = await createFixture();
    await expect(verifier.verify(await sign())).resolves.toMatchObject({ expiresAt: NOW + 300 });
  });

  it('requires exp', async () => {
    const { verifier, sign } = await createFixture();
    const error = await verifier.verify(await sign({ exp: undefined })).catch((e) => e);
    expect(error).toMatchObject({
      code: 'missing_claim',
      claim: 'exp',
      description: 'token has no exp claim',
    });
  });

  it('rejects an expired token with "token expired", past the clock tolerance', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign({ iat: NOW - 600, nbf: NOW - 600, exp: NOW - 6 });
    const error = await fixture.verifier.verify(token).catch((e) => e);
    expect(error).toMatchObject({
      code: 'token_expired',
      status: 401,
      message: 'token expired',
      claim: 'exp',
    });
  });

  it('accepts a token expired by less than the tolerance (5 s by default)', async () => {
    const { verifier, sign } = await createFixture();
    await expect(
      verifier.verify(await sign({ iat: NOW - 600, nbf: NOW - 600, exp: NOW - 4 })),
    ).resolves.toBeDefined();
  });

  it('honours a configured clock tolerance', async () => {
    const fixture = await createFixture({ clockTolerance: '1m' });
    await expect(
      fixture.verifier.verify(await fixture.sign({ iat: NOW - 600, nbf: NOW - 600, exp: NOW - 50 })),
    ).resolves.toBeDefined();
    const strict = fixture.with({ clockTolerance: 0 });
    expect(
      await codeOf(strict.verify(await fixture.sign({ iat: NOW - 600, nbf: NOW - 600, exp: NOW }))),
    ).toBe('token_expired');
  });

  it('rejects a token used before nbf', async () => {
    const { verifier, sign } = await createFixture();
    const error = await verifier.verify(await sign({ nbf: NOW + 60, iat: NOW })).catch((e) => e);
    expect(error).toMatchObject({ code: 'token_not_active', claim: 'nbf', message: 'token not yet valid' });
  });

  it('accepts nbf within the tolerance', async () => {
    const { verifier, sign } = await createFixture();
    await expect(verifier.verify(await sign({ nbf: NOW + 4 }))).resolves.toBeDefined();
  });

  it('rejects a token issued in the future', async () => {
    const { verifier, sign } = await createFixture();
    const error = await verifier.verify(await sign({ iat: NOW + 60, nbf: undefined })).catch((e) => e);
    expect(error).toMatchObject({
      code: 'token_not_active',
      claim: 'iat',
      description: 'token issued in the future',
    });
  });

  it.each([
    ['exp', { exp: String(NOW + 300) }],
    ['exp', { exp: null }],
    ['exp', { exp: -1 }],
    ['exp', { exp: 1e12 }],
    ['nbf', { nbf: 'yesterday' }],
    ['iat', { iat: [NOW] }],
  ])('rejects a malformed %s claim', async (claim, claims) => {
    const { verifier, sign } = await createFixture();
    const error = await verifier.verify(await sign(claims as never)).catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_claim', claim });
  });

  it('accepts fractional NumericDates', async () => {
    const { verifier, sign } = await createFixture();
    await expect(verifier.verify(await sign({ iat: NOW - 0.5, exp: NOW + 10.25 }))).resolves.toBeDefined();
  });

  describe('maxTokenAge', () => {
    it('rejects tokens older than the maximum age, measured from iat', async () => {
      const fixture = await createFixture({ maxTokenAge: '2m' });
      const old = await fixture.sign({ iat: NOW - 200, nbf: NOW - 200 });
      const error = await fixture.verifier.verify(old).catch((e) => e);
      expect(error).toMatchObject({ code: 'token_too_old', claim: 'iat' });
      await expect(fixture.verifier.verify(await fixture.sign({ iat: NOW - 100 }))).resolves.toBeDefined();
    });

    it('then requires iat', async () => {
      const fixture = await createFixture({ maxTokenAge: 120 });
      const error = await fixture.verifier.verify(await fixture.sign({ iat: undefined })).catch((e) => e);
      expect(error).toMatchObject({ code: 'missing_claim', claim: 'iat' });
    });

    it('can differ per kind of token', async () => {
      const fixture = await createFixture({ services: { maxTokenAge: 60 } });
      expect(await codeOf(fixture.verifier.verify(await fixture.sign({ iat: NOW - 100 })))).toBe(
        'token_too_old',
      );
    });

    it('is checked again on every request for a cached token', async () => {
      const fixture = await createFixture({ maxTokenAge: 120 });
      const token = await fixture.sign();
      await fixture.verifier.verify(token);
      fixture.clock.now = NOW + 200;
      expect(await codeOf(fixture.verifier.verify(token))).toBe('token_too_old');
    });
  });

  describe('maximum lifetime', () => {
    it('refuses a freshly issued 100-year token', async () => {
      const { verifier, sign } = await createFixture();
      const error = await verifier.verify(await sign({ exp: NOW + 100 * 365 * 86_400 })).catch((e) => e);
      expect(error).toMatchObject({
        code: 'lifetime_too_long',
        claim: 'exp',
        message: 'token lifetime too long',
      });
    });

    it('defaults to 24 hours from iat', async () => {
      const { verifier, sign } = await createFixture();
      await expect(verifier.verify(await sign({ exp: NOW + 86_400 }))).resolves.toBeDefined();
      expect(await codeOf(verifier.verify(await sign({ exp: NOW + 86_401 })))).toBe('lifetime_too_long');
    });

    it('measures from now when the token has no iat', async () => {
      const { verifier, sign } = await createFixture();
      expect(await codeOf(verifier.verify(await sign({ iat: undefined, exp: NOW + 90_000 })))).toBe(
        'lifetime_too_long',
      );
      await expect(verifier.verify(await sign({ iat: undefined, exp: NOW + 3_600 }))).resolves.toBeDefined();
    });

    it('admits long-lived legacy tokens only when raised explicitly', async () => {
      const fixture = await createFixture({ maxLifetime: '10y' });
      await expect(
        fixture.verifier.verify(await fixture.sign({ exp: NOW + 5 * 365 * 86_400 })),
      ).resolves.toBeDefined();
    });
  });

  it('checks expiry on every request even when the signature is cached', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign();
    await fixture.verifier.verify(token);
    fixture.clock.now = NOW + 400;
    expect(await codeOf(fixture.verifier.verify(token))).toBe('token_expired');
  });

  it('reports "token expired" before any other problem of an expired token', async () => {
    const { verifier, sign } = await createFixture();
    const token = await sign({ aud: 'inventory', iat: NOW - 600, nbf: NOW - 600, exp: NOW - 60 });
    expect(await codeOf(verifier.verify(token))).toBe('token_expired');
  });
});
