import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkSignedBody,
  createBodyHasher,
  isBodyPending,
  uncheckableBody,
  verifyRequestBody,
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
    await authenticator().authenticate(request);
    expect(isBodyPending(request)).toBe(true);
    const hasher = createBodyHasher(request);
    hasher?.update('{"sku":"A1",');
    hasher?.update(Buffer.from('"qty":2}'));
    hasher?.finish();
    expect(() => checkSignedBody(request)).not.toThrow();
    expect(isBodyPending(request)).toBe(false);
    expect(createBodyHasher(request)).toBeUndefined();
  });

  it('refuses streamed bytes other than the signed ones, with the realm, and audits it', async () => {
    const events: AuthEvent[] = [];
    const request = signedPost('{"qty":2}', '{"qty":9}');
    await authenticator(events).authenticate(request);
    const hasher = createBodyHasher(request);
    hasher?.update('{"qty":9}');
    hasher?.finish();
    expect(() => checkSignedBody(request)).toThrow(
      expect.objectContaining({ code: 'body_mismatch', realm: 'orders', scheme: 'HMAC-SHA256' }),
    );
    expect(events.at(-1)).toMatchObject({ type: 'rejected', code: 'body_mismatch', caller: 'billing' });
  });

  it('fails closed when the body of a signed request was never seen', async () => {
    const request = signedPost('{"qty":2}');
    await authenticator().authenticate(request);
    expect(() => checkSignedBody(request)).toThrow(
      expect.objectContaining({
        code: 'body_mismatch',
        description: 'request body could not be checked against its signature',
      }),
    );
    expect(uncheckableBody(request, 'request body too large to check')).toMatchObject({
      code: 'body_mismatch',
      realm: 'orders',
      description: 'request body too large to check',
    });
  });

  it('checks a body a parser read before authentication as soon as the signature is known', async () => {
    const request = signedPost('{"qty":2}', '{"qty":9}');
    verifyRequestBody(request, Buffer.from('{"qty":9}'));
    await expect(authenticator().authenticate(request)).rejects.toMatchObject({ code: 'body_mismatch' });
    const good = signedPost('{"qty":2}');
    verifyRequestBody(good, '{"qty":2}');
    await expect(authenticator().authenticate(good)).resolves.toMatchObject({ caller: 'billing' });
  });

  it('leaves requests that were not signed alone', () => {
    const request = { headers: {} };
    expect(isBodyPending(request)).toBe(false);
    expect(createBodyHasher(request)).toBeUndefined();
    expect(() => checkSignedBody(request)).not.toThrow();
    expect(() => verifyRequestBody(request, 'anything')).not.toThrow();
    expect(uncheckableBody(request, 'x')).toMatchObject({ code: 'body_mismatch', realm: undefined });
  });

  it('tells adapters which authenticators take signed bodies, also inside compositions', () => {
    const signed = authenticator();
    const other = { authenticate: async () => undefined };
    expect(signed.signsBodies === true).toBe(true);
    expect((other as { signsBodies?: boolean }).signsBodies === true).toBe(false);
    expect(anyOf(other, signed).signsBodies === true).toBe(true);
    expect(anyOf(other).signsBodies === true).toBe(false);
  });
});
