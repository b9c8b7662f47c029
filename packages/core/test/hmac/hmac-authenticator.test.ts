import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  type AuthEvent,
  createHmacAuthenticator,
  type HmacAuthenticatorOptions,
  MemoryNonceStore,
  signRequest,
} from '../../src/index.js';
import { canonicalRequest, EMPTY_BODY_HASH } from '../../src/protocol.js';
import { type SignedRequestServer, startSignedRequestServer } from './signed-request-server.js';

const SECRET = randomBytes(32).toString('base64url');
const OLD_SECRET = randomBytes(32).toString('base64url');
const events: AuthEvent[] = [];
const options: HmacAuthenticatorOptions = {
  services: {
    billing: { secrets: [SECRET, OLD_SECRET], permissions: ['orders:read'], roles: ['auditor'] },
  },
  roles: { auditor: ['reports:read'] },
  realm: 'orders',
  onEvent: (event) => events.push(event),
};
let server: SignedRequestServer;

beforeAll(async () => {
  server = await startSignedRequestServer(createHmacAuthenticator(options));
});
afterAll(() => server.close());

interface Send {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  /** What the signer is told, when it differs from what is sent. */
  sign?: {
    path?: string;
    body?: string;
    method?: string;
    secret?: string;
    keyId?: string;
    now?: () => number;
  };
  authorization?: (signed: string) => string;
}

async function send(request: Send = {}) {
  const { method = 'GET', path = '/orders?page=2', body, headers = {}, sign = {} } = request;
  const signed = signRequest({
    keyId: sign.keyId ?? 'billing',
    secret: sign.secret ?? SECRET,
    method: sign.method ?? method,
    url: `${server.url}${sign.path ?? path}`,
    headers,
    ...((sign.body ?? body) === undefined ? {} : { body: sign.body ?? body }),
    ...(sign.now === undefined ? {} : { now: sign.now }),
  });
  const authorization = request.authorization ? request.authorization(signed) : signed;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...headers, authorization },
    ...(body === undefined ? {} : { body }),
  });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    json: (await response.json()) as Record<string, unknown>,
  };
}

const rejected = (status: number, code: string, description: string) => ({
  status,
  json: {
    error: status === 400 ? 'invalid_request' : 'invalid_token',
    error_description: description,
    code,
  },
});

describe('HMAC-signed requests', () => {
  it('accepts a signed GET and names the calling service, with its permissions and roles', async () => {
    const reply = await send();
    expect(reply.status).toBe(200);
    expect(reply.json.auth).toMatchObject({
      kind: 'hmac',
      issuer: 'hmac',
      subject: 'billing',
      caller: 'billing',
      roles: ['auditor'],
      permissions: ['orders:read', 'reports:read'],
    });
    expect(events.at(-1)).toMatchObject({ type: 'accepted', kind: 'hmac', caller: 'billing' });
  });

  it('accepts a signed JSON body and the empty body of a POST', async () => {
    const json = { headers: { 'content-type': 'application/json' } };
    expect((await send({ ...json, method: 'POST', body: '{"sku":"A1","qty":2}' })).json.body).toBe(
      '{"sku":"A1","qty":2}',
    );
    expect((await send({ ...json, method: 'POST', body: '' })).status).toBe(200);
    expect((await send({ method: 'POST' })).status).toBe(200);
  });

  it('accepts a signature made with an older secret still listed, for rotation', async () => {
    expect((await send({ sign: { secret: OLD_SECRET } })).status).toBe(200);
  });

  it('refuses a body other than the one signed', async () => {
    const reply = await send({ method: 'POST', body: '{"qty":200}', sign: { body: '{"qty":2}' } });
    expect(reply).toMatchObject(rejected(401, 'body_mismatch', 'request body does not match its signature'));
    expect(reply.challenge).toBe(
      'HMAC-SHA256 realm="orders", error="invalid_token", error_description="request body does not match its signature"',
    );
    expect(events.at(-1)).toMatchObject({ type: 'rejected', code: 'body_mismatch', caller: 'billing' });
  });

  it('refuses a request without body whose signature covers one', async () => {
    const reply = await send({ method: 'POST', sign: { body: '{"qty":2}' } });
    expect(reply).toMatchObject(rejected(401, 'body_mismatch', 'request body does not match its signature'));
  });

  it.each([
    ['another path', { sign: { path: '/orders/other?page=2' } }],
    ['another query', { sign: { path: '/orders?page=3' } }],
    ['another method', { method: 'DELETE', sign: { method: 'GET' } }],
    ['a secret the service does not have', { sign: { secret: randomBytes(32).toString('base64url') } }],
  ])('refuses a signature made for %s', async (_name, request) => {
    expect(await send(request)).toMatchObject(
      rejected(401, 'invalid_signature', 'invalid request signature'),
    );
  });

  it('refuses a signed header whose value changed on the way', async () => {
    const reply = await send({
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'text/plain' },
      authorization: () =>
        signRequest({
          keyId: 'billing',
          secret: SECRET,
          method: 'POST',
          url: `${server.url}/orders?page=2`,
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
    });
    expect(reply).toMatchObject(rejected(401, 'invalid_signature', 'invalid request signature'));
  });

  it('refuses the same signed request twice (nonce replay)', async () => {
    let first: string | undefined;
    const capture = (signed: string) => {
      first ??= signed;
      return first;
    };
    expect((await send({ authorization: capture })).status).toBe(200);
    expect(await send({ authorization: capture })).toMatchObject(
      rejected(401, 'replayed_request', 'request already seen'),
    );
  });

  it.each([
    ['6 minutes old', -360],
    ['6 minutes ahead', 360],
  ])('refuses a request signed %s', async (_name, offset) => {
    const reply = await send({ sign: { now: () => Date.now() + offset * 1000 } });
    expect(reply).toMatchObject(
      rejected(401, 'request_expired', 'request timestamp outside the allowed window'),
    );
  });

  it('refuses an unknown service', async () => {
    const reply = await send({ sign: { keyId: 'intruder' } });
    expect(reply).toMatchObject(rejected(401, 'unknown_key', 'unknown signing service'));
  });

  it.each([
    [
      'a missing parameter',
      (s: string) => s.replace(/, nonce="[^"]*"/, ''),
      'signature parameter nonce missing',
    ],
    [
      'a parameter given twice',
      (s: string) => `${s}, nonce="${'a'.repeat(24)}"`,
      'signature parameter nonce given twice',
    ],
    ['an unknown parameter', (s: string) => `${s}, extra="1"`, 'unknown signature parameter extra'],
    [
      'an unquoted parameter',
      (s: string) => s.replace(/timestamp="(\d+)"/, 'timestamp=$1'),
      'malformed request signature',
    ],
    [
      'a short nonce',
      (s: string) => s.replace(/nonce="[^"]*"/, 'nonce="abc"'),
      'nonce must be 16 to 128 base64url characters',
    ],
    [
      'a non-numeric timestamp',
      (s: string) => s.replace(/timestamp="\d+"/, 'timestamp="soon"'),
      'timestamp must be seconds since the epoch',
    ],
    [
      'a truncated signature',
      (s: string) => s.replace(/signature="([^"]*)."/, 'signature="$1"'),
      'signature must be a base64url HMAC-SHA256',
    ],
    [
      'host left unsigned',
      (s: string) => s.replace('signedHeaders="host"', 'signedHeaders=""'),
      'the host header must be signed',
    ],
  ])('answers 400 to %s', async (_name, edit, description) => {
    const reply = await send({ authorization: edit });
    expect(reply).toMatchObject(rejected(400, 'malformed_request', description));
    expect(reply.challenge).toMatch(/^HMAC-SHA256 realm="orders", error="invalid_request"/);
  });

  it('answers a request without signature with the HMAC-SHA256 challenge and no error', async () => {
    const reply = await fetch(`${server.url}/orders`);
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('HMAC-SHA256 realm="orders"');
    expect(await reply.json()).toEqual({
      error: 'unauthorized',
      error_description: 'missing request signature',
      code: 'missing_token',
    });
  });

  it('leaves other schemes to other authenticators in optional mode', async () => {
    const authenticator = createHmacAuthenticator(options);
    const request = { headers: { authorization: 'Bearer abc' } };
    await expect(authenticator.authenticate(request, { optional: true })).resolves.toBeUndefined();
    await expect(authenticator.authenticate({ headers: {} }, { optional: true })).resolves.toBeUndefined();
  });

  it('refuses several Authorization headers', async () => {
    const authenticator = createHmacAuthenticator(options);
    const request = {
      headers: { authorization: 'HMAC-SHA256 a' },
      rawHeaders: ['Authorization', 'HMAC-SHA256 a', 'Authorization', 'Bearer b'],
    };
    await expect(authenticator.authenticate(request)).rejects.toMatchObject({ code: 'malformed_request' });
  });

  it('fails closed with 503 when the nonce store cannot answer, after checking the signature', async () => {
    const failing = createHmacAuthenticator({
      ...options,
      nonces: {
        useOnce() {
          throw new Error('redis down');
        },
      },
    });
    const url = 'http://127.0.0.1/x';
    const request = {
      method: 'GET',
      url: '/x',
      headers: { host: '127.0.0.1', authorization: signRequest({ keyId: 'billing', secret: SECRET, url }) },
    };
    await expect(failing.authenticate(request)).rejects.toMatchObject({
      code: 'replay_check_unavailable',
      status: 503,
      headers: { 'Retry-After': '5' },
    });
  });

  it('never stores a nonce of a request whose signature is wrong', async () => {
    const nonces = new MemoryNonceStore();
    const authenticator = createHmacAuthenticator({ ...options, nonces });
    const url = 'http://127.0.0.1/x';
    const authorization = signRequest({ keyId: 'billing', secret: 'x'.repeat(32), url });
    await expect(
      authenticator.authenticate({ method: 'GET', url: '/x', headers: { host: '127.0.0.1', authorization } }),
    ).rejects.toMatchObject({ code: 'invalid_signature' });
    expect(nonces.size).toBe(0);
  });

  it('signs the target as sent by a mounted router (originalUrl), not the rewritten url', async () => {
    const authenticator = createHmacAuthenticator(options);
    const authorization = signRequest({ keyId: 'billing', secret: SECRET, url: 'http://h/api/orders' });
    const request = {
      method: 'GET',
      url: '/orders',
      originalUrl: '/api/orders',
      headers: { host: 'h', authorization },
    };
    await expect(authenticator.authenticate(request)).resolves.toMatchObject({ caller: 'billing' });
  });
});

describe('the canonical form', () => {
  it('is the documented lines, so that signers in other languages can reproduce it', () => {
    const parts = {
      keyId: 'billing',
      timestamp: '1767225600',
      nonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
      method: 'post',
      target: '/orders?page=2&sort=asc',
      headers: [
        ['host', 'orders.internal:8443'],
        ['content-type', ' application/json '],
      ] as const,
      bodyHash: 'RBNvo1WzZ4oRRq0W9-hknpT7T8If536DEMBg9hyq_4o',
    };
    const text = [
      'HMAC-SHA256',
      'billing',
      '1767225600',
      'bm9uY2Utbm9uY2Utbm9uY2U',
      'POST',
      '/orders?page=2&sort=asc',
      'host;content-type',
      'host:orders.internal:8443',
      'content-type:application/json',
      'RBNvo1WzZ4oRRq0W9-hknpT7T8If536DEMBg9hyq_4o',
    ].join('\n');
    expect(canonicalRequest(parts)).toBe(text);
  });

  it('produces the header a receiver verifies: HMAC-SHA256 of that text, base64url', () => {
    const now = () => 1_767_225_600_000;
    const authorization = signRequest({
      keyId: 'billing',
      secret: SECRET,
      method: 'POST',
      url: 'https://orders.internal:8443/orders?page=2',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":1}',
      now,
    });
    const params = Object.fromEntries(
      [...authorization.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    expect(params).toMatchObject({
      keyId: 'billing',
      timestamp: '1767225600',
      signedHeaders: 'host;content-type',
    });
    const text = [
      'HMAC-SHA256',
      'billing',
      '1767225600',
      params.nonce,
      'POST',
      '/orders?page=2',
      'host;content-type',
      'host:orders.internal:8443',
      'content-type:application/json',
      sha256('{"a":1}'),
    ].join('\n');
    expect(params.signature).toBe(createHmac('sha256', SECRET).update(text).digest('base64url'));
  });

  it('hashes an empty body as SHA-256 of nothing', () => {
    expect(EMPTY_BODY_HASH).toBe(sha256(''));
  });
});

function sha256(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}

describe('createHmacAuthenticator options', () => {
  it.each([
    [{ services: {} }, 'services: expected at least one service'],
    [{ services: { billing: { secrets: [] } } }, 'services.billing.secrets: list at least one secret'],
    [
      { services: { billing: { secrets: ['short'] } } },
      'services.billing.secrets[0]: expected a string or bytes of at least 32 bytes',
    ],
    [{ services: { 'bad id': { secrets: [SECRET] } } }, 'services.bad id: a key id is'],
    [
      { services: { billing: { secrets: [SECRET], permissions: 'orders:read' } } },
      'services.billing.permissions: expected an array of strings',
    ],
    [{ ...options, window: '1h' }, 'window: expected between 1 second and 15 minutes'],
    [{ ...options, requiredHeaders: ['Host'] }, 'requiredHeaders: expected lower-case header names'],
    [{ ...options, nonces: {} }, 'nonces: expected a NonceStore'],
    [
      { ...options, windw: '1m' },
      'windw: unknown option (did you mean window?); known options are services, window',
    ],
    [{ ...options, onEvent: 'log' }, 'onEvent: expected a function'],
  ])('refuses %j', (bad, message) => {
    expect(() => createHmacAuthenticator(bad as never)).toThrow(AuthConfigError);
    expect(() => createHmacAuthenticator(bad as never)).toThrow(message);
  });

  it('refuses to sign with a short secret', () => {
    expect(() => signRequest({ keyId: 'a', secret: 'short', url: 'http://h/' })).toThrow('secret: expected');
  });
});
