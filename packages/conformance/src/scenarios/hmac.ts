/** HMAC-signed requests: one authenticator; each framework checks the body where it parses it. */
import { signRequest } from '@org/auth-core';
import type { Kit } from '../app-spec.js';
import type { Concern, Expectation, RequestInfo } from './scenario.js';
import { missingPermission, ok, rejectedWith, withToken } from './support.js';

/** What a signer may be made to sign differently from what is sent. */
interface SignatureChange {
  readonly body?: string | undefined;
  readonly url?: string;
  readonly secret?: string;
  readonly now?: () => number;
}
/** An HMAC signature of the request by `service`; `change` makes it cover something else. */
const signedBy =
  (service: 'billing' | 'batch' = 'billing', change: SignatureChange = {}) =>
  (kit: Kit, request: RequestInfo) => {
    const body = 'body' in change ? change.body : request.body;
    return signRequest({
      keyId: service,
      secret: change.secret ?? kit.secrets[service],
      method: request.method,
      url: change.url ?? request.url,
      headers: request.headers,
      ...(body === undefined ? {} : { body }),
      ...(change.now === undefined ? {} : { now: change.now }),
    });
  };
const json = () => ({ 'content-type': 'application/json' });
const hmacCaller = (name: string) => ({ kind: 'hmac', issuer: 'hmac', caller: name, subject: name });
const withParsedBody = (auth: Record<string, unknown>, parsedBody: unknown): Expectation => ({
  ...ok(auth),
  parsedBody,
});
/** A rejection of a signed request: the challenge names the HMAC-SHA256 scheme. */
const rejectedSigned = (status: 400 | 401 | 403, code: string, description: string) =>
  rejectedWith('HMAC-SHA256', status, code, description);
const bodyMismatch = rejectedSigned(401, 'body_mismatch', 'request body does not match its signature');

export const hmacScenarios: Concern = {
  title: 'HMAC-signed requests',
  scenarios: [
    {
      name: 'signed GET',
      path: '/signed/whoami',
      authorization: signedBy(),
      expect: withParsedBody(hmacCaller('billing'), null),
    },
    {
      name: 'signed JSON body',
      method: 'POST',
      path: '/signed/orders',
      headers: json,
      body: '{"sku":"A1","qty":2}',
      authorization: signedBy(),
      expect: withParsedBody(hmacCaller('billing'), { sku: 'A1', qty: 2 }),
    },
    {
      name: 'signed POST with an empty body',
      method: 'POST',
      path: '/signed/orders',
      body: '',
      authorization: signedBy(),
      expect: withParsedBody(hmacCaller('billing'), null),
    },
    {
      name: 'signed POST without body',
      method: 'POST',
      path: '/signed/orders',
      authorization: signedBy(),
      expect: withParsedBody(hmacCaller('billing'), null),
    },
    {
      name: 'signed body, another body sent',
      method: 'POST',
      path: '/signed/orders',
      headers: json,
      body: '{"sku":"A1","qty":200}',
      authorization: signedBy('billing', { body: '{"sku":"A1","qty":2}' }),
      expect: bodyMismatch,
    },
    {
      name: 'signed without body, a body sent',
      method: 'POST',
      path: '/signed/orders',
      headers: json,
      body: '{"sku":"A1","qty":2}',
      authorization: signedBy('billing', { body: undefined }),
      expect: bodyMismatch,
    },
    {
      name: 'signed with a body, none sent',
      method: 'POST',
      path: '/signed/orders',
      authorization: signedBy('billing', { body: '{"sku":"A1","qty":2}' }),
      expect: bodyMismatch,
    },
    {
      name: 'signed for another path',
      path: '/signed/whoami',
      authorization: (kit, request) =>
        signedBy('billing', { url: request.url.replace('/whoami', '/other') })(kit, request),
      expect: rejectedSigned(401, 'invalid_signature', 'invalid request signature'),
    },
    {
      name: 'signed with a wrong secret',
      path: '/signed/whoami',
      authorization: signedBy('billing', { secret: 'not-the-secret-of-billing-at-all-000000' }),
      expect: rejectedSigned(401, 'invalid_signature', 'invalid request signature'),
    },
    {
      name: 'signed ten minutes ago',
      path: '/signed/whoami',
      authorization: signedBy('billing', { now: () => Date.now() - 600_000 }),
      expect: rejectedSigned(401, 'request_expired', 'request timestamp outside the allowed window'),
    },
    {
      name: 'signed request replayed',
      path: '/signed/whoami',
      replay: true,
      authorization: signedBy(),
      expect: rejectedSigned(401, 'replayed_request', 'request already seen'),
    },
    {
      name: 'signed by a service without the permission',
      method: 'POST',
      path: '/signed/orders',
      headers: json,
      body: '{"sku":"A1"}',
      authorization: signedBy('batch'),
      expect: missingPermission(['orders:create'], 'HMAC-SHA256'),
    },
    {
      name: 'malformed signature',
      path: '/signed/whoami',
      authorization: async (kit, request) => (await signedBy()(kit, request)).replace(/, nonce="[^"]*"/, ''),
      expect: rejectedSigned(400, 'malformed_request', 'signature parameter nonce missing'),
    },
    {
      name: 'bearer token where requests must be signed',
      path: '/signed/whoami',
      authorization: withToken(),
      expect: {
        status: 401,
        wwwAuthenticate: 'HMAC-SHA256 realm="payments"',
        body: {
          error: 'unauthorized',
          error_description: 'missing request signature',
          code: 'missing_token',
        },
      },
    },
  ],
};
