import { describe, expect, it } from 'vitest';
import { AuthError } from '../src/index.js';
import { bearer, codeOf, createFixture, NOW } from './support/verifier-fixture.js';

describe('authenticate', () => {
  it('reads the bearer token of a request and returns the auth context', async () => {
    const { verifier, sign } = await createFixture();
    const auth = await verifier.authenticate(bearer(await sign({ permissions: ['orders:read'] })));
    expect(auth?.toJSON()).toEqual({
      kind: 'service',
      issuer: 'https://orders.internal',
      subject: 'orders',
      caller: 'orders',
      audience: ['payments'],
      tokenId: 'token-1',
      expiresAt: NOW + 300,
      roles: [],
      permissions: ['orders:read'],
    });
  });

  it('answers 401 missing_token without credentials, and undefined in optional mode', async () => {
    const { verifier } = await createFixture();
    expect(await verifier.authenticate({ headers: {} }).catch((e) => e)).toMatchObject({
      code: 'missing_token',
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
    await expect(verifier.authenticate({ headers: {} }, { optional: true })).resolves.toBeUndefined();
  });

  it('still rejects a bad token in optional mode', async () => {
    const { verifier, sign } = await createFixture();
    expect(await codeOf(verifier.authenticate(bearer(await sign({ aud: 'x' })), { optional: true }))).toBe(
      'invalid_audience',
    );
    expect(await codeOf(verifier.authenticate(bearer('a b'), { optional: true }))).toBe('malformed_request');
  });

  it('answers 400 for a malformed Authorization header', async () => {
    const { verifier } = await createFixture();
    const error = await verifier.authenticate({ headers: { authorization: 'Bearer' } }).catch((e) => e);
    expect(error).toMatchObject({ code: 'malformed_request', status: 400 });
    expect(error.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_request", error_description="empty bearer token"',
    );
  });

  it('takes tokens from a custom extractor instead of the header', async () => {
    const fixture = await createFixture({
      extractToken: (request) => request.headers['x-service-token'] as string | undefined,
    });
    const token = await fixture.sign();
    await expect(
      fixture.verifier.authenticate({ headers: { 'x-service-token': token } }),
    ).resolves.toBeDefined();
    expect(await codeOf(fixture.verifier.authenticate(bearer(token)))).toBe('missing_token');
    expect(await codeOf(fixture.verifier.authenticate({ headers: { 'x-service-token': '' } }))).toBe(
      'missing_token',
    );
    expect(
      await codeOf(fixture.verifier.authenticate({ headers: { 'x-service-token': 'a'.repeat(9000) } })),
    ).toBe('malformed_request');
  });

  it('reads query-string tokens only when enabled', async () => {
    const fixture = await createFixture({ queryParameter: 'access_token' });
    const token = await fixture.sign();
    await expect(
      fixture.verifier.authenticate({ headers: {}, url: `/x?access_token=${token}` }),
    ).resolves.toBeDefined();
  });

  it('applies the configured token size limit', async () => {
    const fixture = await createFixture({ maxTokenLength: 256 });
    const token = await fixture.sign({ padding: 'x'.repeat(300) });
    expect(await codeOf(fixture.verifier.authenticate(bearer(token)))).toBe('malformed_request');
    expect(await codeOf(fixture.verifier.verify(token))).toBe('malformed_request');
  });
});

describe('verify', () => {
  it('rejects an empty token as missing', async () => {
    const { verifier } = await createFixture();
    expect(await codeOf(verifier.verify(''))).toBe('missing_token');
  });

  it('rejects a bad signature', async () => {
    const { verifier, sign } = await createFixture();
    const [header, payload] = (await sign()).split('.');
    const other = (await sign({ sub: 'someone-else' })).split('.')[2];
    expect(await verifier.verify(`${header}.${payload}.${other}`).catch((e) => e)).toMatchObject({
      code: 'invalid_signature',
      status: 401,
    });
  });

  it('rejects a changed payload', async () => {
    const { verifier, sign } = await createFixture();
    const [header, , signature] = (await sign()).split('.');
    const forged = Buffer.from(
      JSON.stringify({
        iss: 'https://orders.internal',
        aud: 'payments',
        exp: NOW + 60,
        source: 'microservice',
        permissions: ['*'],
      }),
    ).toString('base64url');
    expect(await codeOf(verifier.verify(`${header}.${forged}.${signature}`))).toBe('invalid_signature');
  });

  it('rejects alg none in any spelling, and algorithms the issuer does not allow', async () => {
    const { verifier, sign } = await createFixture();
    const [, payload] = (await sign()).split('.');
    const withAlg = (alg: string) =>
      `${Buffer.from(JSON.stringify({ alg, kid: 'k1' })).toString('base64url')}.${payload}.`;
    for (const alg of ['none', 'None', 'NONE', 'HS256', 'ES256K']) {
      expect(await codeOf(verifier.verify(withAlg(alg)))).toBe('unsupported_algorithm');
    }
    // Allowed for the issuer, but none of its keys is an RSA key.
    expect(await codeOf(verifier.verify(withAlg('RS256')))).toBe('unknown_key');
  });

  it('rejects a token whose kid names no known key', async () => {
    const { verifier, sign } = await createFixture();
    expect(await codeOf(verifier.verify(await sign({}, { kid: 'k2' })))).toBe('unknown_key');
  });
});

describe('custom checks', () => {
  it('run after the built-in checks with the whole context and the request, and may be async', async () => {
    const seen: unknown[] = [];
    const fixture = await createFixture({
      checks: [
        async (auth, request) => {
          seen.push([auth.caller, request?.method]);
          return true;
        },
        (auth) => auth.claims.tenant === 'acme',
      ],
    });
    await expect(
      fixture.verifier.verify(await fixture.sign({ tenant: 'acme' }), { headers: {}, method: 'POST' }),
    ).resolves.toBeDefined();
    expect(seen).toEqual([['orders', 'POST']]);
    expect(
      await fixture.verifier.verify(await fixture.sign({ tenant: 'globex' })).catch((e) => e),
    ).toMatchObject({
      code: 'access_denied',
      status: 403,
    });
  });

  it('may throw their own AuthError', async () => {
    const fixture = await createFixture({
      checks: [
        () => {
          throw new AuthError('caller_not_allowed', { description: 'orders may not call at night' });
        },
      ],
    });
    expect(await fixture.verifier.verify(await fixture.sign()).catch((e) => e)).toMatchObject({
      code: 'caller_not_allowed',
      description: 'orders may not call at night',
    });
  });

  it('pass other errors through untouched: they are bugs, not rejections', async () => {
    const bug = new Error('database exploded');
    const fixture = await createFixture({ checks: [() => Promise.reject(bug)] });
    await expect(fixture.verifier.verify(await fixture.sign())).rejects.toBe(bug);
    expect(fixture.events).toEqual([]);
  });
});

describe('audit events', () => {
  it('reports every accepted request with issuer, caller, audience and kind', async () => {
    const fixture = await createFixture();
    await fixture.verifier.verify(await fixture.sign());
    expect(fixture.events).toEqual([
      {
        type: 'accepted',
        cached: false,
        issuer: 'https://orders.internal',
        kind: 'service',
        audience: ['payments'],
        subject: 'orders',
        caller: 'orders',
        tokenId: 'token-1',
      },
    ]);
  });

  it('reports every rejected request with the error code and what was known', async () => {
    const fixture = await createFixture({ services: { callers: ['inventory'] } });
    await fixture.verifier.verify(await fixture.sign()).catch(() => {});
    await fixture.verifier.verify('garbage').catch(() => {});
    expect(fixture.events).toEqual([
      expect.objectContaining({
        type: 'rejected',
        code: 'caller_not_allowed',
        status: 403,
        caller: 'orders',
        kind: 'service',
      }),
      {
        type: 'rejected',
        code: 'unsupported_token',
        status: 401,
        description: 'opaque tokens are not accepted; send a signed JWT',
      },
    ]);
  });

  it('never carries the token or a signature', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign();
    await fixture.verifier.verify(token);
    await fixture.verifier.verify(`${token}x`).catch(() => {});
    const logged = JSON.stringify(fixture.events);
    expect(logged).not.toContain(token.split('.')[2]);
    expect(logged).not.toContain(token.split('.')[1]);
  });

  it('ignores a listener that throws', async () => {
    const fixture = await createFixture({
      onEvent: () => {
        throw new Error('logger down');
      },
    });
    await expect(fixture.verifier.verify(await fixture.sign())).resolves.toBeDefined();
  });
});

describe('the auth context', () => {
  it('answers permission and role questions', async () => {
    const fixture = await createFixture({ roles: { support: ['tickets:*'] } });
    const auth = await fixture.verifier.verify(
      await fixture.sign({ permissions: ['orders:read'], roles: ['support'] }),
    );
    expect(auth.can('orders:read')).toBe(true);
    expect(auth.can('tickets:close')).toBe(true);
    expect(auth.canAll('orders:read', 'tickets:close')).toBe(true);
    expect(auth.canAll('orders:read', 'orders:create')).toBe(false);
    expect(auth.canAny('orders:create', 'tickets:close')).toBe(true);
    expect(auth.canAny('orders:create')).toBe(false);
    expect(auth.hasRole('support')).toBe(true);
    expect(auth.hasRole('admin')).toBe(false);
    expect(auth.permissions).toEqual(['orders:read', 'tickets:*']);
  });

  it('reads permissions from configured claims', async () => {
    const fixture = await createFixture({
      permissionClaims: ['scp'],
      roleClaim: 'groups',
      roles: { ops: ['deploy:run'] },
    });
    const auth = await fixture.verifier.verify(
      await fixture.sign({ scp: ['orders:read'], permissions: ['x:y'], groups: 'ops' }),
    );
    expect(auth.can('orders:read')).toBe(true);
    expect(auth.can('x:y')).toBe(false);
    expect(auth.can('deploy:run')).toBe(true);
  });
});

describe('readiness of static keys', () => {
  it('is ready at once', async () => {
    const { verifier } = await createFixture();
    await expect(verifier.ready()).resolves.toBeUndefined();
    expect(verifier.health()).toEqual({
      ready: true,
      issuers: [{ issuer: 'https://orders.internal', source: 'static', ready: true, keys: 1 }],
      signatures: { eventLoop: 0, threadPool: 0, inFlight: 0 },
    });
  });
});

describe('realm', () => {
  it('goes into every challenge', async () => {
    const fixture = await createFixture({ realm: 'payments' });
    expect(fixture.verifier.realm).toBe('payments');
    const missing = await fixture.verifier.authenticate({ headers: {} }).catch((e) => e);
    expect(missing.headers['WWW-Authenticate']).toBe('Bearer realm="payments"');
    const expired = await fixture.verifier
      .verify(await fixture.sign({ exp: NOW - 100, iat: NOW - 200, nbf: NOW - 200 }))
      .catch((e) => e);
    expect(expired.headers['WWW-Authenticate']).toBe(
      'Bearer realm="payments", error="invalid_token", error_description="token expired"',
    );
  });
});
