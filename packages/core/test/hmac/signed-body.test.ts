import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  finishBody,
  hashingStream,
  prepareAdapter,
  receiveBody,
  SignedBody,
} from '../../src/adapter/index.js';
import { type AuthEvent, anyOf, createHmacAuthenticator, signRequest } from '../../src/index.js';

const SECRET = randomBytes(32).toString('base64url');
const URL = 'http://orders.internal/orders';

/** A signed POST as Node would hand it to a framework, its body still in the stream. */
function signedPost(body: string, sentBody = body) {
  const authorization = signRequest({ keyId: 'billing', secret: SECRET, method: 'POST', url: URL, body });
  return {
    method: 'POST',
    url: '/orders',
    headers: {
      host: 'orders.internal',
      authorization,
      'content-length': String(Buffer.byteLength(sentBody)),
    },
  };
}

function authenticator(events: AuthEvent[] = []) {
  return createHmacAuthenticator({
    services: { billing: { secrets: [SECRET] } },
    realm: 'orders',
    onEvent: (event) => events.push(event),
  });
}

describe('signed bodies', () => {
  it('waits for the body of a signed request, then accepts the signed bytes streamed in chunks', async () => {
    const request = signedPost('{"sku":"A1","qty":2}');
    const body = new SignedBody();
    await authenticator().authenticate(request, { body });
    expect(body.pending).toBe(true);
    const hasher = body.hasher();
    hasher?.update('{"sku":"A1",');
    hasher?.update(Buffer.from('"qty":2}'));
    hasher?.finish();
    expect(() => body.check()).not.toThrow();
    expect(body.pending).toBe(false);
    expect(body.hasher()).toBeUndefined();
  });

  it('refuses streamed bytes other than the signed ones, with the realm, and audits it', async () => {
    const events: AuthEvent[] = [];
    const request = signedPost('{"qty":2}', '{"qty":9}');
    const body = new SignedBody();
    await authenticator(events).authenticate(request, { body });
    const hasher = body.hasher();
    hasher?.update('{"qty":9}');
    hasher?.finish();
    expect(() => body.check()).toThrow(
      expect.objectContaining({ code: 'body_mismatch', realm: 'orders', scheme: 'HMAC-SHA256' }),
    );
    expect(events.at(-1)).toMatchObject({ type: 'rejected', code: 'body_mismatch', caller: 'billing' });
  });

  it('fails closed when the body of a signed request was never seen', async () => {
    const request = signedPost('{"qty":2}');
    const body = new SignedBody();
    await authenticator().authenticate(request, { body });
    expect(() => body.check()).toThrow(
      expect.objectContaining({
        code: 'body_mismatch',
        description: 'request body could not be checked against its signature',
      }),
    );
    expect(body.uncheckable('request body too large to check')).toMatchObject({
      code: 'body_mismatch',
      realm: 'orders',
      description: 'request body too large to check',
    });
  });

  it('refuses a signed request with a body when nobody can report the body', async () => {
    const events: AuthEvent[] = [];
    await expect(authenticator(events).authenticate(signedPost('{"qty":2}'))).rejects.toMatchObject({
      code: 'body_mismatch',
      realm: 'orders',
      description: expect.stringContaining('request body cannot be checked'),
    });
    expect(events.at(-1)).toMatchObject({ type: 'rejected', code: 'body_mismatch' });
  });

  it('checks a body a parser read before authentication as soon as the signature is known', async () => {
    const request = signedPost('{"qty":2}', '{"qty":9}');
    const early = receiveBody(undefined, Buffer.from('{"qty":9}'));
    await expect(authenticator().authenticate(request, { body: early.body })).rejects.toMatchObject({
      code: 'body_mismatch',
    });
    const good = signedPost('{"qty":2}');
    const goodBody = receiveBody(undefined, '{"qty":2}').body;
    await expect(authenticator().authenticate(good, { body: goodBody })).resolves.toMatchObject({
      caller: 'billing',
    });
  });

  it('leaves requests that were not signed alone', () => {
    const body = new SignedBody();
    expect(body.pending).toBe(false);
    expect(body.hasher()).toBeUndefined();
    expect(() => body.check()).not.toThrow();
    expect(() => body.receive('anything')).not.toThrow();
    expect(body.uncheckable('x')).toMatchObject({ code: 'body_mismatch', realm: undefined });
  });
});

/** A signed POST as a Node stream whose body nobody has read yet. */
function unreadPost(signedBody: string, sentBody = signedBody) {
  return Object.assign(Readable.from([Buffer.from(sentBody)]), signedPost(signedBody, sentBody));
}

describe('finishBody: the one rule for signed bodies, after the framework parsed', () => {
  const adapter = prepareAdapter({ authenticator: authenticator(), maxBodyBytes: 16 });

  async function finished(request: ReturnType<typeof unreadPost>, parsed?: string) {
    const state = adapter.enter(undefined);
    await adapter.authenticate(request, state);
    return finishBody(state, request, parsed);
  }

  it('compares a body the parser kept', async () => {
    await expect(finished(unreadPost('{"qty":2}'), '{"qty":2}')).resolves.toBeUndefined();
    await expect(finished(unreadPost('{"qty":2}'), '{"qty":3}')).rejects.toMatchObject({
      code: 'body_mismatch',
      description: 'request body does not match its signature',
    });
  });

  it('reads and compares a body nobody read, up to maxBodyBytes', async () => {
    await expect(finished(unreadPost('{"qty":2}'))).resolves.toBeUndefined();
    await expect(finished(unreadPost('{"qty":2}', '{"qty":5}'))).rejects.toMatchObject({
      code: 'body_mismatch',
    });
    const large = unreadPost('{"qty":2,"note":"more than sixteen bytes"}');
    await expect(finished(large)).rejects.toMatchObject({
      code: 'body_mismatch',
      realm: 'orders',
      description: 'request body larger than 16 bytes could not be checked',
    });
    expect(large.destroyed).toBe(true);
  });

  it('refuses a body consumed without being reported', async () => {
    const request = unreadPost('{"qty":2}');
    const state = adapter.enter(undefined);
    await adapter.authenticate(request, state);
    for await (const _ of request); // read by code that did not report it
    await expect(finishBody(state, request)).rejects.toMatchObject({
      code: 'body_mismatch',
      description: 'request body could not be checked against its signature',
    });
  });

  it('hashes a body streaming to a parser, then compares it', async () => {
    for (const [sent, accepted] of [
      ['{"qty":2}', true],
      ['{"qty":7}', false],
    ] as const) {
      const request = unreadPost('{"qty":2}', sent);
      const state = adapter.enter(undefined);
      await adapter.authenticate(request, state);
      const stream = hashingStream(state, request);
      expect(stream).not.toBe(request);
      let parsed = '';
      for await (const chunk of stream) parsed += String(chunk);
      expect(parsed).toBe(sent);
      const check = finishBody(state, request);
      await (accepted
        ? expect(check).resolves.toBeUndefined()
        : expect(check).rejects.toMatchObject({ code: 'body_mismatch' }));
    }
    const unsigned = Readable.from([]);
    expect(hashingStream(undefined, unsigned)).toBe(unsigned);
  });

  it('lets requests through that were not signed, or whose adapter does not sign bodies', async () => {
    await expect(finishBody(undefined, Readable.from([]))).resolves.toBeUndefined();
    await expect(finishBody(adapter.enter(undefined), Readable.from([]))).resolves.toBeUndefined();
  });
});

describe('signed bodies inside compositions', () => {
  it('tells adapters which authenticators take signed bodies, also inside compositions', () => {
    const signed = authenticator();
    const other = { authenticate: async () => undefined };
    expect(signed.signsBodies === true).toBe(true);
    expect((other as { signsBodies?: boolean }).signsBodies === true).toBe(false);
    expect(anyOf(other, signed).signsBodies === true).toBe(true);
    expect(anyOf(other).signsBodies === true).toBe(false);
  });
});
