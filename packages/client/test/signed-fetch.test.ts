import type { IncomingMessage } from 'node:http';
import { AuthError, type Authenticator, createHmacAuthenticator } from '@org/auth-core';
import { SignedBody } from '@org/auth-core/adapter';
import { EMPTY_BODY_HASH } from '@org/auth-core/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthClientError,
  AuthConfigError,
  type AuthFetchSignerOptions,
  createAuthFetch,
} from '../src/index.js';
import { startServer, type TestServer } from './helpers.js';

const SECRET = 'billing-ledger-secret-of-32-bytes+';

/** What the receiver saw of one request. */
interface Seen {
  readonly method: string;
  readonly target: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: Buffer;
  /** `200`, or the code of the AuthError the request was refused with. */
  readonly outcome: number | string;
}

let receiver: TestServer;
let seen: Seen[];

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A receiver like an adapter: authenticate, read the raw body, check it against the signature. */
async function startLedger(authenticator: Authenticator): Promise<TestServer> {
  return startServer(async (req, res) => {
    // One object for both calls: the body check finds the signed hash on it.
    const request = {
      method: req.method,
      url: req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
    };
    const record = (body: Buffer, outcome: number | string) =>
      seen.push({
        method: req.method ?? '',
        target: req.url ?? '',
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
        outcome,
      });
    let body: Buffer = Buffer.alloc(0);
    try {
      const signedBody = new SignedBody();
      const auth = await authenticator.authenticate(request, { body: signedBody });
      body = await readBytes(req);
      signedBody.receive(body);
      record(body, 200);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ caller: auth?.caller }));
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      record(body, error.code);
      res.writeHead(error.status, error.headers);
      res.end(JSON.stringify(error));
    }
  });
}

beforeAll(async () => {
  receiver = await startLedger(
    createHmacAuthenticator({ services: { billing: { secrets: [SECRET], permissions: ['ledger:write'] } } }),
  );
});

afterAll(async () => {
  await receiver.close();
});

beforeEach(() => {
  seen = [];
});

/** A signed fetch as the billing service, with other options where a test needs them. */
function signedFetch(options: { signer?: AuthFetchSignerOptions; fetch?: typeof fetch } = {}): typeof fetch {
  return createAuthFetch({
    signer: options.signer ?? { keyId: 'billing', secret: SECRET },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}

/** The parameters of an `Authorization: HMAC-SHA256 ...` header. */
function params(authorization: string | undefined): Record<string, string> {
  expect(authorization).toMatch(/^HMAC-SHA256 /);
  return Object.fromEntries(
    [...(authorization ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]),
  );
}

describe('createAuthFetch with a signer', () => {
  it('signs a GET, with its query string exactly as sent', async () => {
    const res = await signedFetch()(`${receiver.url}/entries?from=2026-01-01&tag=a%20b&tag=c`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ caller: 'billing' });
    expect(seen).toMatchObject([{ method: 'GET', target: '/entries?from=2026-01-01&tag=a%20b&tag=c' }]);
    expect(params(seen[0]?.authorization)).toMatchObject({
      keyId: 'billing',
      signedHeaders: 'host',
      bodyHash: EMPTY_BODY_HASH,
    });
  });

  it("signs the URL's host, as fetch sends it, whatever Host header the caller sets", async () => {
    const res = await signedFetch()(`${receiver.url}/entries`, { headers: { host: 'ledger.example' } });
    expect(res.status).toBe(200);
  });

  it('signs a JSON string body and its content-type', async () => {
    const body = JSON.stringify({ amount: 5, currency: 'EUR', note: 'café' });
    const res = await signedFetch()(`${receiver.url}/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'POST', contentType: 'application/json' });
    expect(seen[0]?.body.toString('utf8')).toBe(body);
    expect(params(seen[0]?.authorization).signedHeaders).toBe('host;content-type');
  });

  it('gives a string body the content-type fetch would, and signs it', async () => {
    const res = await signedFetch()(`${receiver.url}/notes`, { method: 'PUT', body: 'plain text' });
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'PUT', contentType: 'text/plain;charset=UTF-8' });
    expect(params(seen[0]?.authorization).signedHeaders).toBe('host;content-type');
  });

  it.each([
    [
      'a Uint8Array that is a view into a larger buffer',
      new Uint8Array([0, 1, 2, 3, 255, 9]).subarray(1, 5),
      [1, 2, 3, 255],
    ],
    ['an ArrayBuffer', new Uint8Array([1, 2, 3, 0, 255]).buffer, [1, 2, 3, 0, 255]],
    ['a DataView', new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2), [8, 7]],
  ])('signs the exact bytes of %s', async (_name, body, expected) => {
    const res = await signedFetch()(`${receiver.url}/blobs`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect([...(seen[0]?.body ?? [])]).toEqual(expected);
    expect(seen[0]?.contentType).toBeUndefined();
  });

  it('serializes URLSearchParams as fetch does, with the form content-type', async () => {
    const form = new URLSearchParams({ amount: '5', note: 'a b&c=é' });
    const res = await signedFetch()(`${receiver.url}/form`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ contentType: 'application/x-www-form-urlencoded;charset=UTF-8' });
    expect(seen[0]?.body.toString('utf8')).toBe(form.toString());
    expect(params(seen[0]?.authorization).signedHeaders).toBe('host;content-type');
  });

  it("reads a Blob's bytes and signs its type as the content-type", async () => {
    const blob = new Blob(['{"a":', '1}'], { type: 'application/json' });
    const res = await signedFetch()(`${receiver.url}/upload`, { method: 'POST', body: blob });
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ contentType: 'application/json' });
    expect(seen[0]?.body.toString('utf8')).toBe('{"a":1}');
  });

  it("takes method, headers and body from a Request, and leaves the caller's Request unread", async () => {
    const request = new Request(`${receiver.url}/entries?dry-run=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' },
      body: '{"amount":7}',
    });
    const res = await signedFetch({
      signer: { keyId: 'billing', secret: SECRET, signedHeaders: ['x-request-id'] },
    })(request);
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      target: '/entries?dry-run=1',
      contentType: 'application/json',
    });
    expect(seen[0]?.body.toString('utf8')).toBe('{"amount":7}');
    expect(params(seen[0]?.authorization).signedHeaders).toBe('host;content-type;x-request-id');
    expect(request.bodyUsed).toBe(false);
  });

  it("lets init override a Request's method and body, as fetch does", async () => {
    const request = new Request(`${receiver.url}/entries`, { method: 'POST', body: 'ignored' });
    const res = await signedFetch()(request, { method: 'PATCH', body: new Uint8Array([1, 2]) });
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'PATCH', body: Buffer.from([1, 2]) });
  });

  it('signs the headers listed in signedHeaders, so the receiver refuses them changed', async () => {
    const options = { keyId: 'billing', secret: SECRET, signedHeaders: ['X-Request-Id'] };
    const ok = await signedFetch({ signer: options })(`${receiver.url}/entries`, {
      headers: { 'x-request-id': 'r-42' },
    });
    expect(ok.status).toBe(200);
    expect(params(seen[0]?.authorization).signedHeaders).toBe('host;x-request-id');

    // A proxy in between that rewrites the header after signing.
    const tampering = (async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('x-request-id', 'r-43');
      return fetch(input, { ...init, headers });
    }) as typeof fetch;
    const changed = await signedFetch({ signer: options, fetch: tampering })(`${receiver.url}/entries`, {
      headers: { 'x-request-id': 'r-42' },
    });
    expect(changed.status).toBe(401);
    expect(seen[1]?.outcome).toBe('invalid_signature');
  });

  it('refuses to send a request that lacks a header listed in signedHeaders', async () => {
    const authFetch = signedFetch({
      signer: { keyId: 'billing', secret: SECRET, signedHeaders: ['x-request-id'] },
    });
    await expect(authFetch(`${receiver.url}/entries`)).rejects.toThrow(
      /has no x-request-id header, which signer.signedHeaders lists/,
    );
    expect(seen).toEqual([]);
  });

  it('sends the bytes it hashed: a body changed on the way is refused by the receiver', async () => {
    const swapping = (async (input: string | URL | Request, init?: RequestInit) =>
      fetch(input, { ...init, body: 'amount=5000' })) as typeof fetch;
    const res = await signedFetch({ fetch: swapping })(`${receiver.url}/form`, {
      method: 'POST',
      body: 'amount=5',
    });
    expect(res.status).toBe(401);
    expect(seen[0]?.outcome).toBe('body_mismatch');
  });

  it('signs the same request twice with two nonces, and both are accepted', async () => {
    const authFetch = signedFetch();
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":1}' };
    const first = await authFetch(`${receiver.url}/entries`, init);
    const second = await authFetch(`${receiver.url}/entries`, init);
    expect([first.status, second.status]).toEqual([200, 200]);
    const [a, b] = seen.map((request) => params(request.authorization).nonce);
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });

  it('never retries a signed request, whatever the answer', async () => {
    const res = await createAuthFetch({
      signer: { keyId: 'billing', secret: 'not-the-secret-the-ledger-knows-at-all' },
    })(`${receiver.url}/entries`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^HMAC-SHA256 /);
    expect(seen.map((request) => request.outcome)).toEqual(['invalid_signature']);
  });

  it('uses the clock it is given for the timestamp', async () => {
    const hourAgo = Date.now() - 3_600_000;
    await signedFetch({ signer: { keyId: 'billing', secret: SECRET, now: () => hourAgo } })(
      `${receiver.url}/`,
    );
    expect(params(seen[0]?.authorization).timestamp).toBe(String(Math.floor(hourAgo / 1000)));
    expect(seen[0]?.outcome).toBe('request_expired');
  });
});

describe('bodies that cannot be signed', () => {
  const authFetch = () => signedFetch();

  it('refuses a ReadableStream: a signature needs the exact bytes up front', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('chunk'));
        controller.close();
      },
    });
    const attempt = authFetch()(`${receiver.url}/upload`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    await expect(attempt).rejects.toBeInstanceOf(AuthClientError);
    await expect(attempt).rejects.toMatchObject({
      code: 'unsignable_request',
      message: expect.stringMatching(/streamed body: a signature needs the exact bytes up front/),
    });
    expect(seen).toEqual([]);
  });

  it('refuses an async iterable body', async () => {
    async function* chunks() {
      yield new TextEncoder().encode('chunk');
    }
    await expect(
      authFetch()(`${receiver.url}/upload`, {
        method: 'POST',
        body: chunks() as unknown as RequestInit['body'],
        duplex: 'half',
      } as RequestInit),
    ).rejects.toMatchObject({ code: 'unsignable_request' });
    expect(seen).toEqual([]);
  });

  it('refuses FormData, whose multipart boundary fetch picks while sending', async () => {
    const form = new FormData();
    form.set('file', new Blob(['x']), 'x.txt');
    await expect(authFetch()(`${receiver.url}/upload`, { method: 'POST', body: form })).rejects.toMatchObject(
      {
        code: 'unsignable_request',
        message: expect.stringMatching(/FormData/),
      },
    );
  });

  it('refuses a Request whose body was already read', async () => {
    const request = new Request(`${receiver.url}/upload`, { method: 'POST', body: 'once' });
    await request.text();
    await expect(authFetch()(request)).rejects.toMatchObject({ code: 'unsignable_request' });
  });
});

describe('signer options', () => {
  it.each([
    [
      { keyId: 'billing', secret: 'too short' },
      /^signer\.secret: expected a string or bytes of at least 32 bytes/,
    ],
    [{ keyId: 'billing', secret: new Uint8Array(31) }, /^signer\.secret:/],
    [{ keyId: 'billing', secret: 42 }, /^signer\.secret:/],
    [{ keyId: '', secret: SECRET }, /^signer\.keyId: expected the name the receiver knows this service by/],
    [{ keyId: 'has space', secret: SECRET }, /^signer\.keyId:/],
    [{ secret: SECRET }, /^signer\.keyId:/],
    [{ keyId: 'billing', secret: SECRET, signedHeaders: 'x-a' }, /^signer\.signedHeaders: expected an array/],
    [
      { keyId: 'billing', secret: SECRET, signedHeaders: ['bad header'] },
      /^signer\.signedHeaders: "bad header"/,
    ],
    [
      { keyId: 'billing', secret: SECRET, signedHeaders: ['Authorization'] },
      /^signer\.signedHeaders: authorization carries the signature/,
    ],
    [{ keyId: 'billing', secret: SECRET, now: 5 }, /^signer\.now:/],
    [null, /^signer: expected \{ keyId, secret \}/],
  ])('refuses %j at construction', (signer, message) => {
    const create = () => createAuthFetch({ signer } as unknown as Parameters<typeof createAuthFetch>[0]);
    expect(create).toThrow(AuthConfigError);
    expect(create).toThrow(message);
  });

  it('accepts a secret of exactly 32 bytes, as a string or bytes', () => {
    expect(() => createAuthFetch({ signer: { keyId: 'billing', secret: 'x'.repeat(32) } })).not.toThrow();
    expect(() => createAuthFetch({ signer: { keyId: 'billing', secret: new Uint8Array(32) } })).not.toThrow();
  });

  it('refuses tokens and signer together', () => {
    const tokens = { getToken: async () => 'tok' };
    expect(() =>
      // @ts-expect-error: a wrapper either attaches tokens or signs
      createAuthFetch({ tokens, audience: () => 'ledger', signer: { keyId: 'billing', secret: SECRET } }),
    ).toThrow(/^signer: give either signer \(to sign requests with HMAC\) or tokens and audience/);
  });

  it('refuses token options with a signer', () => {
    const signer = { keyId: 'billing', secret: SECRET };
    // @ts-expect-error: audience only applies to tokens
    expect(() => createAuthFetch({ signer, audience: () => 'ledger' })).toThrow(
      /^audience: only applies to tokens/,
    );
    // @ts-expect-error: scope only applies to tokens
    expect(() => createAuthFetch({ signer, scope: 'ledger:write' })).toThrow(/^scope:/);
  });

  it('asks for tokens or a signer when given neither', () => {
    // @ts-expect-error: one of the two is required
    expect(() => createAuthFetch({})).toThrow(
      /^tokens: expected a TokenClient \(with audience\), or give signer/,
    );
  });
});
