import { describe, expect, it } from 'vitest';
import { codeOf, createFixture } from './support/verifier-fixture.js';

describe('service tokens and user tokens', () => {
  it('accepts service tokens only, by default, and says which kind it got', async () => {
    const { verifier, sign } = await createFixture();
    await expect(verifier.verify(await sign())).resolves.toMatchObject({ kind: 'service', caller: 'orders' });
    expect(await verifier.verify(await sign({ source: undefined })).catch((e) => e)).toMatchObject({
      code: 'invalid_token_type',
      status: 401,
      description: 'not a service token',
    });
  });

  it('treats a wrong marker value, or an array, as not a service token', async () => {
    const { verifier, sign } = await createFixture();
    expect(await codeOf(verifier.verify(await sign({ source: 'frontend' })))).toBe('invalid_token_type');
    expect(await codeOf(verifier.verify(await sign({ source: ['microservice'] })))).toBe(
      'invalid_token_type',
    );
  });

  it('accepts user tokens only when asked to, and refuses service tokens there', async () => {
    const fixture = await createFixture({ services: false, users: true });
    await expect(
      fixture.verifier.verify(await fixture.sign({ source: undefined, sub: 'alice' })),
    ).resolves.toMatchObject({
      kind: 'user',
      subject: 'alice',
      caller: undefined,
    });
    expect(await fixture.verifier.verify(await fixture.sign()).catch((e) => e)).toMatchObject({
      code: 'invalid_token_type',
      description: 'service tokens are not accepted here',
    });
  });

  it('accepts both kinds, each with its own audience and issuers', async () => {
    const fixture = await createFixture({
      audience: undefined,
      services: { audience: 'payments' },
      users: { audience: 'microservices', issuers: ['https://orders.internal'] },
    });
    await expect(fixture.verifier.verify(await fixture.sign())).resolves.toMatchObject({ kind: 'service' });
    await expect(
      fixture.verifier.verify(await fixture.sign({ source: undefined, aud: 'microservices' })),
    ).resolves.toMatchObject({
      kind: 'user',
    });
    expect(
      await codeOf(fixture.verifier.verify(await fixture.sign({ source: undefined, aud: 'payments' }))),
    ).toBe('invalid_audience');
    expect(await codeOf(fixture.verifier.verify(await fixture.sign({ aud: 'microservices' })))).toBe(
      'invalid_audience',
    );
  });

  it('limits a kind to its issuers', async () => {
    const base = await createFixture();
    const jwks = { keys: [base.jwk] };
    const verifier = base.with({
      issuers: [
        { issuer: 'https://orders.internal', jwks },
        { issuer: 'https://login.example', jwks },
      ],
      users: { issuers: ['https://login.example'] },
    });
    await expect(
      verifier.verify(await base.sign({ source: undefined, iss: 'https://login.example' })),
    ).resolves.toMatchObject({
      kind: 'user',
      issuer: 'https://login.example',
    });
    expect(await verifier.verify(await base.sign({ source: undefined })).catch((e) => e)).toMatchObject({
      code: 'invalid_issuer',
      description: 'issuer not trusted for user tokens',
    });
    await expect(verifier.verify(await base.sign({ iss: 'https://login.example' }))).resolves.toMatchObject({
      kind: 'service',
    });
  });

  it('allows user tokens with several audiences by default', async () => {
    const fixture = await createFixture({ services: false, users: true });
    await expect(
      fixture.verifier.verify(await fixture.sign({ source: undefined, aud: ['payments', 'web'] })),
    ).resolves.toBeDefined();
  });

  it('reads the marker claim and value from the configuration', async () => {
    const fixture = await createFixture({ serviceMarker: { claim: 'token_use', value: 'service' } });
    await expect(
      fixture.verifier.verify(await fixture.sign({ source: undefined, token_use: 'service' })),
    ).resolves.toMatchObject({
      kind: 'service',
    });
    expect(await codeOf(fixture.verifier.verify(await fixture.sign()))).toBe('invalid_token_type');
  });
});

describe('which callers may call', () => {
  it('lets an allowed service call and refuses another with 403 caller_not_allowed', async () => {
    const fixture = await createFixture({ services: { callers: ['orders'] } });
    await expect(fixture.verifier.verify(await fixture.sign({ sub: 'orders' }))).resolves.toBeDefined();
    expect(
      await fixture.verifier.verify(await fixture.sign({ sub: 'inventory' })).catch((e) => e),
    ).toMatchObject({
      code: 'caller_not_allowed',
      status: 403,
    });
  });

  it('reads the caller from another claim, such as azp or client_id', async () => {
    const fixture = await createFixture({
      services: { callers: ['orders-client'], callerClaim: 'client_id' },
    });
    await expect(
      fixture.verifier.verify(await fixture.sign({ client_id: 'orders-client' })),
    ).resolves.toMatchObject({
      caller: 'orders-client',
    });
    expect(await codeOf(fixture.verifier.verify(await fixture.sign()))).toBe('caller_not_allowed');
  });

  it('matches prefix patterns', async () => {
    const fixture = await createFixture({ services: { callers: ['spiffe://prod/ns/billing/*'] } });
    await expect(
      fixture.verifier.verify(await fixture.sign({ sub: 'spiffe://prod/ns/billing/invoicer' })),
    ).resolves.toBeDefined();
    expect(
      await codeOf(fixture.verifier.verify(await fixture.sign({ sub: 'spiffe://prod/ns/billing-x/a' }))),
    ).toBe('caller_not_allowed');
  });

  it('checks the allow-list on every request, cached or not', async () => {
    const fixture = await createFixture({ services: { callers: ['inventory'] } });
    const token = await fixture.sign();
    expect(await codeOf(fixture.verifier.verify(token))).toBe('caller_not_allowed');
    expect(await codeOf(fixture.verifier.verify(token))).toBe('caller_not_allowed');
  });
});
