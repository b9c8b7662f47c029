import { status } from '@grpc/grpc-js';
import { token, verifierOptions } from '@org/auth-conformance/helpers';
import {
  AuthConfigError,
  type AuthEvent,
  allow,
  anyOf,
  createHmacAuthenticator,
  createVerifier,
  deny,
  type PolicyContext,
} from '@org/auth-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorize,
  type GuardedCall,
  requireCaller,
  requireCheck,
  requirePermission,
  serviceAuth,
} from '../src/index.js';
import { METHODS, type Message, type MethodName, type RunningServer, startServer } from './harness.js';
import { ordersImplementation } from './orders-service.js';

const UPLOAD: readonly Message[] = [{ item: 'a' }, { item: 'b' }, { item: 'c' }];

/** The messages a method answers an accepted call with. */
function expectedMessages(method: MethodName, who: Message): Message[] {
  switch (method) {
    case 'CreateOrder':
      return [{ ...who, item: 'a' }];
    case 'ListOrders':
      return [who, { order: 2 }];
    case 'UploadOrders':
      return [{ ...who, count: 3 }];
    case 'SyncOrders':
      return [who, ...UPLOAD.map((message) => ({ echo: message }))];
  }
}

const ORDERS = { subject: 'orders', caller: 'orders', kind: 'service', issuer: 'https://auth.test' };

describe('every kind of method, plaintext', () => {
  const events: AuthEvent[] = [];
  let server: RunningServer;
  beforeAll(async () => {
    const auth = serviceAuth(verifierOptions(events));
    server = await startServer(
      auth.protect(ordersImplementation(), {
        CreateOrder: requirePermission('orders:create'),
        ListOrders: [requireCaller('orders', 'billing'), requirePermission('orders:read')],
        UploadOrders: requirePermission('orders:create'),
        SyncOrders: requirePermission('orders:read'),
      }),
    );
  });
  afterAll(() => server?.close());

  const allowed = () => token({ permissions: ['orders:create', 'orders:read'] });

  it.each(METHODS)('%s: a good token reaches the method, which sees call.auth', async (method) => {
    const client = server.client();
    const outcome = await client.call(method, client.metadata(allowed()), UPLOAD);
    expect(outcome.code).toBe(status.OK);
    expect(outcome.messages).toEqual(expectedMessages(method, ORDERS));
  });

  it.each(METHODS)('%s: no token is UNAUTHENTICATED missing_token, with the challenge', async (method) => {
    const client = server.client();
    const outcome = await client.call(method, client.metadata({}), UPLOAD);
    expect(outcome).toMatchObject({
      code: status.UNAUTHENTICATED,
      details: 'missing bearer token',
      authCode: 'missing_token',
      challenge: 'Bearer realm="payments"',
      messages: [],
    });
    expect(outcome.trailers.get('auth-error')).toEqual(['unauthorized']);
  });

  it.each(METHODS)('%s: an expired token is UNAUTHENTICATED token_expired', async (method) => {
    const client = server.client();
    const expired = token({
      exp: Math.floor(Date.now() / 1000) - 600,
      iat: Math.floor(Date.now() / 1000) - 900,
    });
    const outcome = await client.call(method, client.metadata(expired), UPLOAD);
    expect(outcome).toMatchObject({
      code: status.UNAUTHENTICATED,
      details: 'token expired',
      authCode: 'token_expired',
      challenge: 'Bearer realm="payments", error="invalid_token", error_description="token expired"',
      messages: [],
    });
  });

  it.each(METHODS)('%s: a guard refusal is PERMISSION_DENIED with insufficient_scope', async (method) => {
    const client = server.client();
    const outcome = await client.call(method, client.metadata(token()), UPLOAD);
    expect(outcome).toMatchObject({
      code: status.PERMISSION_DENIED,
      authCode: 'insufficient_permission',
      messages: [],
    });
    expect(outcome.challenge).toMatch(/^Bearer realm="payments", error="insufficient_scope"/);
    expect(outcome.trailers.get('auth-error')).toEqual(['insufficient_scope']);
  });

  it.each(METHODS)('%s: a malformed authorization entry is INVALID_ARGUMENT', async (method) => {
    const client = server.client();
    const outcome = await client.call(
      method,
      client.metadata({ authorization: `Bearer ${allowed()} ${allowed()}` }),
      UPLOAD,
    );
    expect(outcome).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'exactly one bearer token expected',
      authCode: 'malformed_request',
      messages: [],
    });
    expect(outcome.challenge).toMatch(/error="invalid_request"/);
  });

  it('the caller guard refuses another service with caller_not_allowed', async () => {
    const client = server.client();
    const outcome = await client.call(
      'ListOrders',
      client.metadata(token({ sub: 'shipping', permissions: ['orders:read'] })),
    );
    expect(outcome).toMatchObject({ code: status.PERMISSION_DENIED, authCode: 'caller_not_allowed' });
  });

  it('reports the same events as the HTTP adapters', () => {
    expect(events.some((event) => event.type === 'accepted')).toBe(true);
    expect(events.filter((event) => event.type === 'rejected').map((event) => event.code)).toEqual(
      expect.arrayContaining([
        'missing_token',
        'token_expired',
        'insufficient_permission',
        'malformed_request',
      ]),
    );
  });

  it('never sends the token back', async () => {
    const client = server.client();
    const bad = `${allowed()}x`;
    const outcome = await client.call('CreateOrder', client.metadata(bad));
    expect(outcome.code).toBe(status.UNAUTHENTICATED);
    expect(JSON.stringify({ ...outcome, trailers: outcome.trailers.getMap() })).not.toContain(
      bad.slice(0, 40),
    );
  });
});

describe('keys unavailable', () => {
  it('is UNAVAILABLE keys_unavailable, never UNAUTHENTICATED', async () => {
    // A loopback port nothing listens on: the key fetch fails at once.
    const closed = await startServer({});
    const down = `http://${closed.address}/jwks`;
    await closed.close();
    const auth = serviceAuth({
      issuers: [{ issuer: 'https://down.test', jwksUri: down }],
      audience: 'payments',
    });
    const server = await startServer(auth.protect(ordersImplementation()));
    try {
      const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'k1' })).toString(
        'base64url',
      );
      const now = Math.floor(Date.now() / 1000);
      const payload = Buffer.from(
        JSON.stringify({ iss: 'https://down.test', sub: 'orders', aud: 'payments', iat: now, exp: now + 60 }),
      ).toString('base64url');
      const client = server.client();
      const outcome = await client.call(
        'CreateOrder',
        client.metadata(`${header}.${payload}.${'A'.repeat(86)}`),
      );
      expect(outcome).toMatchObject({ code: status.UNAVAILABLE, authCode: 'keys_unavailable' });
    } finally {
      await server.close();
    }
  });
});

describe('optional mode', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const auth = serviceAuth({ ...verifierOptions(), optional: true });
    server = await startServer(
      auth.protect(ordersImplementation(), { UploadOrders: requirePermission('orders:create') }),
    );
  });
  afterAll(() => server?.close());

  it('lets a call without credentials through with no auth context', async () => {
    const client = server.client();
    const outcome = await client.call('CreateOrder', client.metadata({}));
    expect(outcome.code).toBe(status.OK);
    expect(outcome.messages).toEqual([{ subject: null, caller: null, kind: null, issuer: null, item: null }]);
  });

  it('still refuses a bad token, and a guarded method refuses the anonymous call', async () => {
    const client = server.client();
    const bad = await client.call('CreateOrder', client.metadata('not-a-token'));
    expect(bad).toMatchObject({ code: status.UNAUTHENTICATED, authCode: 'unsupported_token' });
    const anonymous = await client.call('UploadOrders', client.metadata({}), UPLOAD);
    expect(anonymous).toMatchObject({ code: status.UNAUTHENTICATED, authCode: 'missing_token' });
  });
});

describe('errors that are not rejections', () => {
  it("a method's own error is its own status, never UNAUTHENTICATED", async () => {
    const auth = serviceAuth(verifierOptions());
    const server = await startServer(
      auth.protect({
        CreateOrder(_call: unknown, callback: (error: Error) => void) {
          callback(Object.assign(new Error('out of stock'), { code: status.FAILED_PRECONDITION }));
        },
        ListOrders() {
          throw new Error('boom');
        },
      }),
    );
    try {
      const client = server.client();
      const own = await client.call('CreateOrder', client.metadata(token()));
      expect(own).toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: 'out of stock',
        authCode: undefined,
      });
      const thrown = await client.call('ListOrders', client.metadata(token()));
      expect(thrown).toMatchObject({
        code: status.UNKNOWN,
        details: 'Server method handler threw error boom',
      });
    } finally {
      await server.close();
    }
  });

  it('a call whose deadline passes during authentication never reaches the method', async () => {
    let reached = 0;
    const slow = {
      authenticate: () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300)),
    };
    const server = await startServer(
      serviceAuth({ authenticator: slow, optional: true }).protect({
        CreateOrder(_call: unknown, callback: (error: null, value: Message) => void) {
          reached++;
          callback(null, {});
        },
      }),
    );
    try {
      const client = server.client();
      const outcome = await client.call('CreateOrder', client.metadata({}), [{}], 100);
      expect(outcome.code).toBe(status.DEADLINE_EXCEEDED);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(reached).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a custom check that throws is INTERNAL with no detail', async () => {
    const auth = serviceAuth(verifierOptions());
    const server = await startServer(
      auth.protect(ordersImplementation(), {
        CreateOrder: requireCheck('tenant known', () => {
          throw new Error('database password in this message');
        }),
      }),
    );
    try {
      const client = server.client();
      const outcome = await client.call('CreateOrder', client.metadata(token()));
      expect(outcome).toMatchObject({
        code: status.INTERNAL,
        details: 'internal error',
        authCode: undefined,
      });
    } finally {
      await server.close();
    }
  });
});

describe('authorize', () => {
  it('loads the resource from the call and refuses with policy_denied', async () => {
    const auth = serviceAuth({
      ...verifierOptions(),
      policies: [
        {
          name: 'owner',
          actions: ['documents:read'],
          decide: ({ auth: context, resource }: PolicyContext) =>
            (resource as { owner?: string } | undefined)?.owner === context.caller
              ? allow()
              : deny('not the owner'),
        },
      ],
    });
    const server = await startServer(
      auth.protect(
        {
          CreateOrder(call: { resource?: unknown }, callback: (error: null, value: Message) => void) {
            callback(null, { resource: call.resource as Message });
          },
        },
        {
          CreateOrder: authorize<{ request?: Message } & GuardedCall>('documents:read', {
            resource: (call) => ({ id: call.request?.id, owner: call.request?.owner }),
          }),
        },
      ),
    );
    try {
      const client = server.client();
      const mine = await client.call('CreateOrder', client.metadata(token()), [
        { id: 'd1', owner: 'orders' },
      ]);
      expect(mine).toMatchObject({
        code: status.OK,
        messages: [{ resource: { id: 'd1', owner: 'orders' } }],
      });
      const theirs = await client.call('CreateOrder', client.metadata(token()), [
        { id: 'd2', owner: 'billing' },
      ]);
      expect(theirs).toMatchObject({ code: status.PERMISSION_DENIED, authCode: 'policy_denied' });
    } finally {
      await server.close();
    }
  });
});

describe('configuration', () => {
  it('refuses DPoP and HMAC-signed requests, which are defined over HTTP', () => {
    expect(() => serviceAuth({ ...verifierOptions(), dpop: {} } as never)).toThrow(AuthConfigError);
    expect(() => serviceAuth({ ...verifierOptions(), dpop: {} } as never)).toThrow(
      /^dpop: DPoP proofs sign an HTTP method/,
    );
    const dpopVerifier = createVerifier({ ...verifierOptions(), dpop: {} });
    expect(() => serviceAuth({ verifier: dpopVerifier })).toThrow(/^verifier: DPoP proofs/);
    const hmac = createHmacAuthenticator({
      services: { billing: { secrets: ['a-test-secret-of-at-least-32-bytes!!'] } },
    });
    expect(() => serviceAuth({ authenticator: hmac })).toThrow(/^authenticator: HMAC-signed requests/);
    expect(() => serviceAuth({ authenticator: anyOf(createVerifier(verifierOptions()), hmac) })).toThrow(
      /^authenticator: HMAC-signed requests/,
    );
  });

  it('refuses the HTTP adapters’ onError and maxBodyBytes, and checks the others', () => {
    expect(() => serviceAuth({ ...verifierOptions(), onError: 'forward' } as never)).toThrow(
      /^onError: gRPC has no error handler/,
    );
    expect(() => serviceAuth({ ...verifierOptions(), maxBodyBytes: 10 } as never)).toThrow(/^maxBodyBytes:/);
    expect(() => serviceAuth({ ...verifierOptions(), optional: 'yes' as unknown as boolean })).toThrow(
      /^optional:/,
    );
    expect(() => serviceAuth({ ...verifierOptions(), audiense: 'x' } as never)).toThrow(/audience/);
    expect(() => serviceAuth(undefined as never)).toThrow(AuthConfigError);
  });

  it('refuses guards for a method the implementation does not have, and values that are not guards', () => {
    const auth = serviceAuth(verifierOptions());
    expect(() =>
      auth.protect(ordersImplementation(), { CreateOrdre: requirePermission('orders:create') } as never),
    ).toThrow(
      /^guards.CreateOrdre: the implementation has no method CreateOrdre \(did you mean CreateOrder\?\)/,
    );
    expect(() => auth.protect(ordersImplementation(), { CreateOrder: (() => {}) as never })).toThrow(
      /^guards.CreateOrder:/,
    );
    expect(() => requirePermission('orders:*')).toThrow(TypeError);
  });

  it('wraps class instances, keeping `this`', async () => {
    class Orders {
      readonly prefix = 'order-';
      CreateOrder(_call: unknown, callback: (error: null, value: Message) => void) {
        callback(null, { id: `${this.prefix}1` });
      }
    }
    const server = await startServer(serviceAuth(verifierOptions()).protect(new Orders()));
    try {
      const client = server.client();
      expect((await client.call('CreateOrder', client.metadata(token()))).messages).toEqual([
        { id: 'order-1' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('shares one verifier (and its cache) between services', () => {
    const verifier = createVerifier(verifierOptions());
    expect(serviceAuth({ verifier }).authenticator).toBe(verifier);
  });
});
