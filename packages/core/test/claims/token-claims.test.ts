import { describe, expect, it } from 'vitest';
import { codeOf, createFixture } from '../support/verifier-fixture.js';

describe('issuer', () => {
  it('rejects an untrusted or missing iss', async () => {
    const { verifier, sign } = await createFixture();
    expect(await verifier.verify(await sign({ iss: 'https://evil.example' })).catch((e) => e)).toMatchObject({
      code: 'invalid_issuer',
      claim: 'iss',
      message: 'untrusted issuer',
    });
    expect(await codeOf(verifier.verify(await sign({ iss: undefined })))).toBe('invalid_issuer');
    expect(await codeOf(verifier.verify(await sign({ iss: 42 as never })))).toBe('invalid_issuer');
  });
});

describe('audience', () => {
  it('accepts a token for this service, as a string or a one-element array', async () => {
    const { verifier, sign } = await createFixture();
    await expect(verifier.verify(await sign({ aud: 'payments' }))).resolves.toMatchObject({
      audience: ['payments'],
    });
    await expect(verifier.verify(await sign({ aud: ['payments'] }))).resolves.toMatchObject({
      audience: ['payments'],
    });
  });

  it('rejects a token meant for another service (replay)', async () => {
    const { verifier, sign } = await createFixture();
    expect(await verifier.verify(await sign({ aud: 'inventory' })).catch((e) => e)).toMatchObject({
      code: 'invalid_audience',
      claim: 'aud',
      message: 'token not meant for this service',
    });
  });

  it('rejects a token without aud', async () => {
    const { verifier, sign } = await createFixture();
    expect(await verifier.verify(await sign({ aud: undefined })).catch((e) => e)).toMatchObject({
      code: 'invalid_audience',
      description: 'token has no audience',
    });
  });

  it('never treats "*" as a wildcard', async () => {
    const { verifier, sign } = await createFixture();
    expect(await codeOf(verifier.verify(await sign({ aud: '*' })))).toBe('invalid_audience');
  });

  it.each([[[]], [[1]], [['']], [{ aud: 'payments' }], [7]])('rejects a malformed aud %j', async (aud) => {
    const { verifier, sign } = await createFixture();
    expect(await codeOf(verifier.verify(await sign({ aud: aud as never })))).toBe('invalid_audience');
  });

  it('refuses multi-audience service tokens by default, any recipient could replay them', async () => {
    const { verifier, sign } = await createFixture();
    expect(
      await verifier.verify(await sign({ aud: ['payments', 'inventory'] })).catch((e) => e),
    ).toMatchObject({
      code: 'invalid_audience',
      description: 'tokens for several audiences are not accepted',
    });
  });

  it('accepts multi-audience service tokens when explicitly allowed', async () => {
    const fixture = await createFixture({ services: { allowMultipleAudiences: true } });
    await expect(
      fixture.verifier.verify(await fixture.sign({ aud: ['inventory', 'payments'] })),
    ).resolves.toMatchObject({
      audience: ['inventory', 'payments'],
    });
  });

  it('accepts any of several configured audiences', async () => {
    const fixture = await createFixture({ audience: ['payments', 'https://payments.internal'] });
    await expect(
      fixture.verifier.verify(await fixture.sign({ aud: 'https://payments.internal' })),
    ).resolves.toBeDefined();
  });
});

describe('typ', () => {
  it('checks the typ header when configured, in the RFC 8725 way', async () => {
    const fixture = await createFixture({ typ: 'at+jwt' });
    await expect(fixture.verifier.verify(await fixture.sign({}, { typ: 'at+jwt' }))).resolves.toBeDefined();
    await expect(
      fixture.verifier.verify(await fixture.sign({}, { typ: 'application/AT+JWT' })),
    ).resolves.toBeDefined();
    expect(
      await fixture.verifier.verify(await fixture.sign({}, { typ: 'JWT' })).catch((e) => e),
    ).toMatchObject({
      code: 'invalid_token_type',
      description: 'token type must be at+jwt',
    });
    expect(await codeOf(fixture.verifier.verify(await fixture.sign()))).toBe('invalid_token_type');
  });
});

describe('required and typed claims', () => {
  it('requires the configured claims', async () => {
    const fixture = await createFixture({ requiredClaims: ['tenant'] });
    expect(await fixture.verifier.verify(await fixture.sign()).catch((e) => e)).toMatchObject({
      code: 'missing_claim',
      claim: 'tenant',
      description: 'token has no tenant claim',
    });
    await expect(fixture.verifier.verify(await fixture.sign({ tenant: 'acme' }))).resolves.toBeDefined();
  });

  it('adds per-kind required claims to the global ones', async () => {
    const fixture = await createFixture({
      requiredClaims: ['tenant'],
      services: { requiredClaims: ['azp'] },
    });
    expect(await codeOf(fixture.verifier.verify(await fixture.sign({ tenant: 'acme' })))).toBe(
      'missing_claim',
    );
    await expect(
      fixture.verifier.verify(await fixture.sign({ tenant: 'acme', azp: 'orders' })),
    ).resolves.toBeDefined();
  });

  it('rejects a non-string sub or jti', async () => {
    const { verifier, sign } = await createFixture();
    expect(await verifier.verify(await sign({ sub: 7 as never })).catch((e) => e)).toMatchObject({
      code: 'invalid_claim',
      claim: 'sub',
    });
    expect(await codeOf(verifier.verify(await sign({ jti: {} as never })))).toBe('invalid_claim');
  });
});

describe('tokens of the wrong kind', () => {
  it('says so when an OpenID Connect ID token is sent', async () => {
    const { verifier, sign } = await createFixture();
    expect(await verifier.verify(await sign({ nonce: 'n-0S6_WzA2Mj' })).catch((e) => e)).toMatchObject({
      code: 'unsupported_token',
      description: 'ID tokens are not accepted; send an access token',
    });
    expect(await codeOf(verifier.verify(await sign({ at_hash: 'x' })))).toBe('unsupported_token');
  });
});
