import { generateKeyPairSync } from 'node:crypto';
import { createDpopProof } from '@org/auth-client';
import { signRequest } from '@org/auth-core';
import { generateSecret } from 'jose';
import { expect } from 'vitest';
import type { ClientCertificate, Kit } from './app-spec.js';
import {
  BILLING_SPIFFE_ID,
  ISSUER_B,
  ISSUER_DOWN,
  ISSUER_FLAKY,
  ISSUER_STS,
  REVOKED_JTI,
  USER_TOKEN_HEADER,
} from './app-spec.js';
import type { Call } from './client.js';
import { now, tamperSignature, unsecured } from './tokens.js';

/** What a scenario expects; every field given is compared exactly. */
export interface Expectation {
  readonly status: number;
  /** The exact `WWW-Authenticate` value, or `null` for none. */
  readonly wwwAuthenticate: string | null;
  readonly retryAfter?: string;
  /** The exact JSON body. */
  readonly body?: unknown;
  /** For 200s: fields of the echoed `auth.toJSON()`. */
  readonly auth?: Record<string, unknown> | null;
  /** For 200s: the echoed resource loaded by `authorize`, compared exactly. */
  readonly resource?: unknown;
  /** For 200s of `/signed`: the body as the app parsed it (`null` for none), compared exactly. */
  readonly parsedBody?: unknown;
  /** Response headers that must be present with a non-empty value, lower case (e.g. `dpop-nonce`). */
  readonly headersSent?: readonly string[];
}

/** The request a scenario's credentials are made for (signatures cover it). */
export interface RequestInfo {
  /** The full URL, on the running target. */
  readonly url: string;
  readonly method: string;
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** One request and its expected answer, identical for every target. */
export interface Scenario {
  readonly name: string;
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  /** The Authorization header: a value, several (sent as separate lines), or none. */
  readonly authorization?: (kit: Kit, request: RequestInfo) => string | string[] | Promise<string | string[]>;
  /** The request body, sent as is (give its `content-type` in `headers`). */
  readonly body?: string;
  /** Send the identical request (same credentials) once before, expecting it to pass. */
  readonly replay?: true;
  /** Headers made for the request, e.g. `Authorization: DPoP` and a `DPoP` proof. */
  readonly credentials?: (kit: Kit, request: RequestInfo) => Promise<Record<string, string | string[]>>;
  /** The client certificate presented over TLS (the suite serves HTTPS). Default: none. */
  readonly clientCertificate?: ClientCertificate;
  /** Other request headers, e.g. `x-session`. */
  readonly headers?: (kit: Kit) => Record<string, string> | Promise<Record<string, string>>;
  /** Runs first, e.g. to warm the key cache; `send` goes to the same target. */
  readonly prepare?: (kit: Kit, send: (call: Call) => Promise<{ status: number }>) => Promise<void>;
  readonly expect: Expectation;
}

const bearer = (token: string) => `Bearer ${token}`;
/** A bearer token of issuer A; time claims are given as a function, evaluated at request time. */
const withToken =
  (claims: Record<string, unknown> | (() => Record<string, unknown>) = {}) =>
  async (kit: Kit) =>
    bearer(await kit.token(typeof claims === 'function' ? claims() : claims));
const user = { source: undefined, sub: 'alice@example.com' };

function challenge(error: string, description: string): string {
  return `Bearer realm="payments", error="${error}", error_description="${description}"`;
}
function rejected(status: 400 | 401 | 403, code: string, description: string): Expectation {
  const error = { 400: 'invalid_request', 401: 'invalid_token', 403: 'insufficient_scope' }[status];
  return {
    status,
    wwwAuthenticate: challenge(error, description),
    body: { error, error_description: description, code },
  };
}
const missingToken: Expectation = {
  status: 401,
  wwwAuthenticate: 'Bearer realm="payments"',
  body: { error: 'unauthorized', error_description: 'missing bearer token', code: 'missing_token' },
};
/** A guard's `missing_token` on a request no verifier ever saw: there is no realm to know. */
const missingTokenNoRealm: Expectation = { ...missingToken, wwwAuthenticate: 'Bearer' };
const ok = (auth: Record<string, unknown> | null): Expectation => ({
  status: 200,
  wwwAuthenticate: null,
  auth,
});
/** An `x-api-key` header, for the custom authenticator of `/any` and `/all`. */
const apiKey = (key: string) => () => ({ 'x-api-key': key });
/** An `x-user-token` header with a user token of issuer A for alice (claims patch it). */
const forwardedUser =
  (claims: Record<string, unknown> | (() => Record<string, unknown>) = {}) =>
  async (kit: Kit) => ({
    [USER_TOKEN_HEADER]: await kit.token({ ...user, ...(typeof claims === 'function' ? claims() : claims) }),
  });
/** A token of the token-exchange service: `sub` alice, `act.sub` orders, scope `orders:read`. */
const exchanged =
  (claims: Record<string, unknown> = {}) =>
  async (kit: Kit) =>
    bearer(
      await kit.token(
        { ...user, act: { sub: 'orders' }, scope: 'orders:read', ...claims },
        { key: kit.keys.sts, issuer: ISSUER_STS },
      ),
    );
const service = { kind: 'service', issuer: 'https://auth-a.internal', caller: 'orders', subject: 'orders' };
const insufficientPermission = rejected(403, 'insufficient_permission', 'insufficient permission');

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
const hmacCaller = (name: string) => ({ kind: 'hmac', issuer: 'HMAC-SHA256', caller: name, subject: name });
const withParsedBody = (auth: Record<string, unknown>, parsedBody: unknown): Expectation => ({
  ...ok(auth),
  parsedBody,
});
/** A rejection of a signed request: the challenge names the HMAC-SHA256 scheme. */
function rejectedSigned(status: 400 | 401 | 403, code: string, description: string): Expectation {
  const expectation = rejected(status, code, description);
  return {
    ...expectation,
    wwwAuthenticate: (expectation.wwwAuthenticate ?? '').replace(/^Bearer /, 'HMAC-SHA256 '),
  };
}
const bodyMismatch = rejectedSigned(401, 'body_mismatch', 'request body does not match its signature');

/** A rejection challenged with another scheme than Bearer. */
function rejectedWith(scheme: string, status: 401 | 403, code: string, description: string): Expectation {
  const expectation = rejected(status, code, description);
  return {
    ...expectation,
    wwwAuthenticate: (expectation.wwwAuthenticate ?? '').replace(/^Bearer /, `${scheme} `),
  };
}
const mtlsCaller = { kind: 'mtls', issuer: 'mtls', caller: BILLING_SPIFFE_ID, subject: BILLING_SPIFFE_ID };
/** No client certificate: the mTLS challenge, without an error (like a missing bearer token). */
const certificateRequired: Expectation = {
  status: 401,
  wwwAuthenticate: 'mTLS realm="payments"',
  body: {
    error: 'unauthorized',
    error_description: 'client certificate required',
    code: 'client_certificate_required',
  },
};
const untrusted = (description: string) => rejectedWith('mTLS', 401, 'untrusted_certificate', description);
/** A token of issuer A bound to a client certificate of the suite (RFC 8705). */
const boundTo = (certificate: 'billing' | 'shop') => async (kit: Kit) =>
  bearer(await kit.token({ cnf: { 'x5t#S256': kit.tls.clients[certificate].thumbprint } }));

const DPOP_ALGS = 'algs="ES256 EdDSA RS256 PS256"';
/** What a DPoP request may be made to carry differently from a correct one. */
interface DpopChange {
  /** Send the bound token with this scheme. Default `DPoP`. */
  readonly scheme?: 'DPoP' | 'Bearer';
  /** Leave the proof out. */
  readonly noProof?: true;
  /** Make the proof for this URL, method or token instead. */
  readonly url?: string;
  readonly method?: string;
  readonly accessToken?: string;
  /** Sign the proof with another key than the token is bound to. */
  readonly otherKey?: true;
  /** Mint an unbound token. */
  readonly unbound?: true;
  /** Include the server's current nonce (for `/dpop-nonce`). */
  readonly nonce?: true;
  /** Extra claims of the token. */
  readonly claims?: Record<string, unknown>;
}
/** A DPoP-bound token of issuer A (`cnf.jkt` of the suite's DPoP key) and a proof for the request. */
const dpop =
  (change: DpopChange = {}) =>
  async (kit: Kit, request: RequestInfo): Promise<Record<string, string>> => {
    const token = await kit.token({
      ...(change.unbound ? {} : { cnf: { jkt: kit.dpop.jkt } }),
      ...change.claims,
    });
    const authorization = `${change.scheme ?? 'DPoP'} ${token}`;
    if (change.noProof) return { authorization };
    const nonce = change.nonce ? kit.dpopNonces.dpopNonce() : undefined;
    const proof = await createDpopProof({
      key: change.otherKey ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : kit.dpop.key,
      method: change.method ?? request.method,
      url: change.url ?? request.url,
      accessToken: change.accessToken ?? token,
      ...(nonce === undefined ? {} : { nonce }),
    });
    return { authorization, dpop: proof };
  };
function dpopRejected(code: string, description: string, error = code): Expectation {
  return {
    status: 401,
    wwwAuthenticate: `DPoP realm="payments", error="${error}", error_description="${description}", ${DPOP_ALGS}`,
    body: { error, error_description: description, code },
  };
}
const invalidProof = (description: string) => dpopRejected('invalid_dpop_proof', description);

export const scenarios: readonly Scenario[] = [
  // Token extraction (RFC 6750 §2.1)
  { name: 'valid service token', path: '/api/whoami', authorization: withToken(), expect: ok(service) },
  { name: 'no Authorization header', path: '/api/whoami', expect: missingToken },
  { name: 'empty Authorization header', path: '/api/whoami', authorization: () => '', expect: missingToken },
  {
    name: 'Bearer scheme without token',
    path: '/api/whoami',
    authorization: () => 'Bearer ',
    expect: rejected(400, 'malformed_request', 'empty bearer token'),
  },
  {
    name: 'duplicated Authorization header',
    path: '/api/whoami',
    authorization: async (kit) => [bearer(await kit.token()), bearer(await kit.token())],
    expect: rejected(400, 'malformed_request', 'several authorization headers'),
  },
  {
    name: 'lower-case scheme',
    path: '/api/whoami',
    authorization: async (kit) => `bearer ${await kit.token()}`,
    expect: ok(service),
  },
  {
    name: 'upper-case scheme',
    path: '/api/whoami',
    authorization: async (kit) => `BEARER ${await kit.token()}`,
    expect: ok(service),
  },
  {
    name: 'oversized token',
    path: '/api/whoami',
    authorization: () => bearer('a'.repeat(9000)),
    expect: rejected(400, 'malformed_request', 'token too large'),
  },
  {
    name: 'Basic scheme',
    path: '/api/whoami',
    authorization: () => 'Basic b3JkZXJzOnNlY3JldA==',
    expect: missingToken,
  },
  {
    name: 'two tokens in one header',
    path: '/api/whoami',
    authorization: async (kit) => `Bearer ${await kit.token()} ${await kit.token()}`,
    expect: rejected(400, 'malformed_request', 'exactly one bearer token expected'),
  },
  {
    name: 'invalid characters in token',
    path: '/api/whoami',
    authorization: () => 'Bearer abc,def',
    expect: rejected(400, 'malformed_request', 'invalid characters in bearer token'),
  },
  {
    name: 'token in the query string is ignored',
    path: `/api/whoami?access_token=abc.def.ghi`,
    expect: missingToken,
  },
  // Token structure and signature
  {
    name: 'malformed token',
    path: '/api/whoami',
    authorization: () => 'Bearer abc.def',
    expect: rejected(401, 'malformed_token', 'a JWT has three dot-separated parts'),
  },
  {
    name: 'opaque token',
    path: '/api/whoami',
    authorization: () => 'Bearer 2YotnFZFEjr1zCsicMWpAA',
    expect: rejected(401, 'unsupported_token', 'opaque tokens are not accepted; send a signed JWT'),
  },
  {
    name: 'bad signature',
    path: '/api/whoami',
    authorization: async (kit) => bearer(tamperSignature(await kit.token())),
    expect: rejected(401, 'invalid_signature', 'invalid token signature'),
  },
  {
    name: 'alg none',
    path: '/api/whoami',
    authorization: () =>
      bearer(
        unsecured({
          iss: 'https://auth-a.internal',
          sub: 'orders',
          aud: 'payments',
          source: 'microservice',
          exp: now() + 300,
        }),
      ),
    expect: rejected(401, 'unsupported_algorithm', 'token algorithm not allowed'),
  },
  {
    name: 'algorithm not allowed for the issuer (HS256)',
    path: '/api/whoami',
    authorization: async (kit) =>
      bearer(
        await kit.token(
          {},
          { key: { ...kit.keys.a, alg: 'HS256', privateKey: await generateSecret('HS256') } },
        ),
      ),
    expect: rejected(401, 'unsupported_algorithm', 'token algorithm not allowed'),
  },
  {
    name: 'key of another issuer',
    path: '/api/whoami',
    authorization: async (kit) => bearer(await kit.token({}, { key: kit.keys.b })),
    expect: rejected(401, 'unknown_key', 'token signed with an unknown key'),
  },
  {
    name: 'right kid, key of another issuer',
    path: '/api/whoami',
    authorization: async (kit) => bearer(await kit.token({}, { key: { ...kit.keys.b, kid: 'a-1' } })),
    expect: rejected(401, 'invalid_signature', 'invalid token signature'),
  },
  {
    name: 'token of the second issuer',
    path: '/api/whoami',
    authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_B }, { key: kit.keys.b })),
    expect: ok({ ...service, issuer: ISSUER_B }),
  },
  // Time claims (clock tolerance 5 s)
  {
    name: 'expired',
    path: '/api/whoami',
    authorization: withToken(() => ({ iat: now() - 600, exp: now() - 60 })),
    expect: rejected(401, 'token_expired', 'token expired'),
  },
  {
    name: 'expired within clock tolerance',
    path: '/api/whoami',
    authorization: withToken(() => ({ iat: now() - 600, exp: now() - 2 })),
    expect: ok(service),
  },
  {
    name: 'not yet valid',
    path: '/api/whoami',
    authorization: withToken(() => ({ nbf: now() + 60 })),
    expect: rejected(401, 'token_not_active', 'token not yet valid'),
  },
  {
    name: 'not yet valid within clock tolerance',
    path: '/api/whoami',
    authorization: withToken(() => ({ nbf: now() + 2 })),
    expect: ok(service),
  },
  {
    name: 'issued in the future',
    path: '/api/whoami',
    authorization: withToken(() => ({ iat: now() + 60 })),
    expect: rejected(401, 'token_not_active', 'token issued in the future'),
  },
  {
    name: 'missing exp',
    path: '/api/whoami',
    authorization: withToken({ exp: undefined }),
    expect: rejected(401, 'missing_claim', 'token has no exp claim'),
  },
  {
    name: 'lifetime over the maximum',
    path: '/api/whoami',
    authorization: withToken(() => ({ exp: now() + 2 * 86_400 })),
    expect: rejected(401, 'lifetime_too_long', 'token lifetime too long'),
  },
  // Issuer and audience
  {
    name: 'wrong aud',
    path: '/api/whoami',
    authorization: withToken({ aud: 'billing' }),
    expect: rejected(401, 'invalid_audience', 'token not meant for this service'),
  },
  {
    name: 'missing aud',
    path: '/api/whoami',
    authorization: withToken({ aud: undefined }),
    expect: rejected(401, 'invalid_audience', 'token has no audience'),
  },
  {
    name: 'service token for several audiences',
    path: '/api/whoami',
    authorization: withToken({ aud: ['payments', 'billing'] }),
    expect: rejected(401, 'invalid_audience', 'tokens for several audiences are not accepted'),
  },
  {
    name: 'wrong iss',
    path: '/api/whoami',
    authorization: withToken({ iss: 'https://evil.example' }),
    expect: rejected(401, 'invalid_issuer', 'untrusted issuer'),
  },
  {
    name: 'ID token',
    path: '/api/whoami',
    authorization: withToken({ nonce: 'n-0S6_WzA2Mj' }),
    expect: rejected(401, 'unsupported_token', 'ID tokens are not accepted; send an access token'),
  },
  {
    name: 'revoked token',
    path: '/api/whoami',
    authorization: withToken({ jti: REVOKED_JTI }),
    expect: rejected(401, 'token_revoked', 'token revoked'),
  },
  // Kinds
  {
    name: 'user token on a mixed route',
    path: '/api/whoami',
    authorization: withToken(user),
    expect: ok({ kind: 'user', subject: 'alice@example.com' }),
  },
  {
    name: 'user token on a service-only route',
    path: '/api/service-only',
    authorization: withToken(user),
    // The token is valid, just not for this route: 403, so the client does not fetch a new token.
    expect: rejected(403, 'token_kind_not_allowed', 'this kind of token is not allowed here'),
  },
  {
    name: 'mixed route: expired user token reads "token expired"',
    path: '/api/whoami',
    authorization: withToken(() => ({ ...user, iat: now() - 600, exp: now() - 300 })),
    expect: rejected(401, 'token_expired', 'token expired'),
  },
  // Sessions: the verifier's `sessions` hook is tried before the bearer token
  {
    name: 'session on a mixed route',
    path: '/api/whoami',
    headers: () => ({ 'x-session': 'alice' }),
    expect: ok({ kind: 'user', issuer: 'session', subject: 'alice@example.com', roles: ['clerk'] }),
  },
  {
    name: 'session is tried before the service token',
    path: '/api/whoami',
    headers: () => ({ 'x-session': 'alice' }),
    authorization: withToken(),
    expect: ok({ kind: 'user', issuer: 'session', subject: 'alice@example.com' }),
  },
  {
    name: 'rejected session is not retried as a service token',
    path: '/api/whoami',
    headers: () => ({ 'x-session': 'expired' }),
    authorization: withToken(),
    expect: rejected(401, 'token_expired', 'session expired'),
  },
  {
    name: 'unknown session falls through to the service token',
    path: '/api/whoami',
    headers: () => ({ 'x-session': 'nobody' }),
    authorization: withToken(),
    expect: ok(service),
  },
  {
    name: 'session on a service-only route',
    path: '/api/service-only',
    headers: () => ({ 'x-session': 'alice' }),
    expect: rejected(403, 'token_kind_not_allowed', 'this kind of token is not allowed here'),
  },
  {
    name: 'session: permission granted through a role',
    path: '/api/orders',
    headers: () => ({ 'x-session': 'alice' }),
    expect: ok({ kind: 'user', subject: 'alice@example.com', permissions: ['orders:read'] }),
  },
  {
    name: 'session: permission missing',
    method: 'POST',
    path: '/api/orders',
    headers: () => ({ 'x-session': 'alice' }),
    expect: insufficientPermission,
  },
  // On behalf of a user: a forwarded user token, or a token-exchange token with `act`
  {
    name: 'on behalf: service token and forwarded user token',
    path: '/api/user-orders',
    authorization: withToken(),
    headers: forwardedUser({ permissions: ['orders:read'] }),
    expect: ok({ ...service, user: expect.objectContaining({ kind: 'user', subject: 'alice@example.com' }) }),
  },
  {
    name: 'on behalf: the user lacks the permission',
    path: '/api/user-orders',
    authorization: withToken({ permissions: ['orders:read'] }),
    headers: forwardedUser(),
    expect: insufficientPermission,
  },
  {
    name: 'on behalf: service token alone on a user route',
    path: '/api/user-required',
    authorization: withToken(),
    expect: rejected(403, 'token_kind_not_allowed', 'this kind of token is not allowed here'),
  },
  {
    name: 'on behalf: user token alone on a user route',
    path: '/api/user-required',
    authorization: withToken(user),
    expect: ok({ kind: 'user', subject: 'alice@example.com' }),
  },
  {
    name: 'on behalf: expired forwarded user token',
    path: '/api/user-required',
    authorization: withToken(),
    headers: forwardedUser(() => ({ iat: now() - 600, exp: now() - 300 })),
    expect: rejected(401, 'token_expired', 'token expired'),
  },
  {
    name: 'on behalf: a service token forwarded as the user',
    path: '/api/user-required',
    authorization: withToken(),
    headers: async (kit) => ({ [USER_TOKEN_HEADER]: await kit.token({ sub: 'inventory' }) }),
    expect: rejected(401, 'invalid_token_type', 'the forwarded token is not a user token'),
  },
  {
    name: 'on behalf: forwarded user token next to a user token',
    path: '/api/user-required',
    authorization: withToken(user),
    headers: forwardedUser(),
    expect: rejected(400, 'malformed_request', 'a forwarded user token needs a service token of its own'),
  },
  {
    name: 'on behalf: token-exchange token (act)',
    path: '/api/user-orders',
    authorization: exchanged(),
    expect: ok({
      kind: 'service',
      issuer: ISSUER_STS,
      caller: 'orders',
      user: expect.objectContaining({ kind: 'user', subject: 'alice@example.com' }),
    }),
  },
  {
    name: 'on behalf: act claim from an issuer that may not delegate',
    path: '/api/user-required',
    authorization: withToken({ sub: 'alice@example.com', act: { sub: 'orders' } }),
    expect: rejected(401, 'invalid_issuer', 'issuer not trusted for delegated tokens'),
  },
  {
    name: 'on behalf: acting service not on the allow-list',
    path: '/api/user-required',
    authorization: exchanged({ act: { sub: 'reporting' } }),
    expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
  },
  // Attribute-based policies: authorize(action, { resource })
  {
    name: 'policy: owner reads their document',
    path: '/api/documents/d1',
    authorization: withToken(user),
    expect: {
      ...ok({ kind: 'user', subject: 'alice@example.com' }),
      resource: { id: 'd1', ownerId: 'alice@example.com' },
    },
  },
  {
    name: "policy: nothing allows reading another user's document",
    path: '/api/documents/d2',
    authorization: withToken(user),
    expect: rejected(403, 'policy_denied', 'no policy allows this action'),
  },
  {
    name: 'policy: admin bypass',
    path: '/api/documents/d2',
    authorization: withToken({ ...user, roles: ['admin'] }),
    expect: { ...ok({ kind: 'user' }), resource: { id: 'd2', ownerId: 'bob@example.com', frozen: true } },
  },
  {
    name: 'policy: a deny overrides the admin allow',
    method: 'POST',
    path: '/api/documents/d2',
    authorization: withToken({ ...user, roles: ['admin'] }),
    expect: rejected(403, 'policy_denied', 'document is frozen'),
  },
  {
    name: 'policy: owner writes through a service acting for them',
    method: 'POST',
    path: '/api/documents/d1',
    authorization: withToken(),
    headers: forwardedUser(),
    expect: { ...ok(service), resource: { id: 'd1', ownerId: 'alice@example.com' } },
  },
  {
    name: 'policy: service token without a user',
    path: '/api/documents/d1',
    authorization: withToken(),
    expect: rejected(403, 'policy_denied', 'no policy allows this action'),
  },
  {
    name: 'policy: no token',
    path: '/api/documents/d1',
    expect: missingToken,
  },
  // Composed authenticators: anyOf(verifier, apiKeys) and allOf(verifier, apiKeys)
  { name: 'anyOf: bearer token', path: '/any/whoami', authorization: withToken(), expect: ok(service) },
  {
    name: 'anyOf: API key',
    path: '/any/whoami',
    headers: apiKey('batch-key'),
    expect: ok({ kind: 'service', issuer: 'api-keys', caller: 'batch' }),
  },
  {
    name: 'anyOf: API key through a guard',
    path: '/any/orders',
    headers: apiKey('batch-key'),
    expect: ok({ kind: 'service', caller: 'batch', permissions: ['orders:read'] }),
  },
  {
    name: 'anyOf: expired bearer token, good API key',
    path: '/any/whoami',
    authorization: withToken(() => ({ iat: now() - 600, exp: now() - 300 })),
    headers: apiKey('batch-key'),
    expect: ok({ caller: 'batch' }),
  },
  {
    name: 'anyOf: no credentials',
    path: '/any/whoami',
    expect: {
      ...missingToken,
      body: { ...(missingToken.body as object), error_description: 'missing credentials' },
    },
  },
  {
    name: 'anyOf: an expired token beats a missing API key',
    path: '/any/whoami',
    authorization: withToken(() => ({ iat: now() - 600, exp: now() - 300 })),
    expect: rejected(401, 'token_expired', 'token expired'),
  },
  {
    name: 'anyOf: a bad API key beats a missing token',
    path: '/any/whoami',
    headers: apiKey('wrong'),
    expect: rejected(401, 'invalid_signature', 'invalid API key'),
  },
  {
    name: 'anyOf: a 403 beats a 401',
    path: '/any/whoami',
    authorization: withToken({ sub: 'reporting' }),
    headers: apiKey('wrong'),
    expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
  },
  {
    name: 'anyOf: unavailable keys beat a bad API key',
    path: '/any/whoami',
    authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_DOWN }, { key: kit.keys.flaky })),
    headers: apiKey('wrong'),
    expect: {
      status: 503,
      wwwAuthenticate: null,
      body: {
        error: 'temporarily_unavailable',
        error_description: 'verification keys unavailable',
        code: 'keys_unavailable',
      },
    },
  },
  {
    name: 'allOf: bearer token and API key',
    path: '/all/whoami',
    authorization: withToken(),
    headers: apiKey('batch-key'),
    expect: ok(service),
  },
  {
    name: 'allOf: API key missing',
    path: '/all/whoami',
    authorization: withToken(),
    expect: {
      ...missingToken,
      body: { ...(missingToken.body as object), error_description: 'missing credentials' },
    },
  },
  {
    name: 'allOf: bad API key',
    path: '/all/whoami',
    authorization: withToken(),
    headers: apiKey('wrong'),
    expect: rejected(401, 'invalid_signature', 'invalid API key'),
  },
  {
    name: 'service token on a service-only route',
    path: '/api/service-only',
    authorization: withToken(),
    expect: ok(service),
  },
  // Guards
  {
    name: 'requirePermission: exact grant',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken({ permissions: ['orders:create'] }),
    expect: ok({ ...service, permissions: ['orders:create'] }),
  },
  {
    name: 'requirePermission: orders:* grant',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken({ permissions: ['orders:*'] }),
    expect: ok({ permissions: ['orders:*'] }),
  },
  {
    name: 'requirePermission: * grant',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken({ permissions: ['*'] }),
    expect: ok({ permissions: ['*'] }),
  },
  {
    name: 'requirePermission: scope string',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken({ scope: 'orders:read orders:create' }),
    expect: ok({ permissions: ['orders:read', 'orders:create'] }),
  },
  {
    name: 'requirePermission: granted through a role',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken({ roles: ['admin'] }),
    expect: ok({ roles: ['admin'] }),
  },
  {
    name: 'requirePermission: other permission only',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken({ permissions: ['orders:read'] }),
    expect: insufficientPermission,
  },
  {
    name: 'requirePermission: prefix grant of a sibling',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken({ permissions: ['orders-archive:*', 'order:*'] }),
    expect: insufficientPermission,
  },
  {
    name: 'requirePermission: no permissions',
    method: 'POST',
    path: '/api/orders',
    authorization: withToken(),
    expect: insufficientPermission,
  },
  {
    name: 'requireAnyPermission: one of them',
    path: '/api/orders',
    authorization: withToken({ permissions: ['orders:admin'] }),
    expect: ok({ permissions: ['orders:admin'] }),
  },
  {
    name: 'requireAnyPermission: none of them',
    path: '/api/orders',
    authorization: withToken({ permissions: ['orders:create'] }),
    expect: insufficientPermission,
  },
  {
    name: 'requireRole: has it',
    path: '/api/admin',
    authorization: withToken({ roles: ['admin'] }),
    expect: ok({ roles: ['admin'] }),
  },
  {
    name: 'requireRole: another role',
    path: '/api/admin',
    authorization: withToken({ roles: ['clerk'] }),
    expect: rejected(403, 'insufficient_role', 'insufficient role'),
  },
  {
    name: 'requireCaller: exact caller',
    path: '/api/internal',
    authorization: withToken(),
    expect: ok(service),
  },
  {
    name: 'requireCaller: caller under a prefix',
    path: '/api/internal',
    authorization: withToken({ sub: 'spiffe://prod/ns/billing/sa/invoicer' }),
    expect: ok({ caller: 'spiffe://prod/ns/billing/sa/invoicer' }),
  },
  {
    name: 'requireCaller: caller allowed by the service, not by the route',
    path: '/api/internal',
    authorization: withToken({ sub: 'inventory' }),
    expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
  },
  {
    name: 'requireCaller: user token',
    path: '/api/internal',
    authorization: withToken({ ...user, sub: 'orders' }),
    expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
  },
  {
    name: 'caller not on the allow-list',
    path: '/api/whoami',
    authorization: withToken({ sub: 'mallory' }),
    expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
  },
  // Remote keys
  {
    name: 'JWKS endpoint down, no key cached',
    path: '/api/whoami',
    authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_DOWN }, { key: kit.keys.flaky })),
    expect: {
      status: 503,
      wwwAuthenticate: null,
      retryAfter: '1',
      body: {
        error: 'temporarily_unavailable',
        error_description: 'verification keys unavailable',
        code: 'keys_unavailable',
      },
    },
  },
  {
    name: 'JWKS endpoint down, keys cached',
    path: '/api/whoami',
    prepare: async (kit, send) => {
      kit.jwks.flakyUp = true;
      const token = await kit.token({ iss: ISSUER_FLAKY }, { key: kit.keys.flaky });
      const warm = await send({ path: '/api/whoami', headers: { authorization: bearer(token) } });
      if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}`);
      kit.jwks.flakyUp = false;
    },
    authorization: async (kit) => bearer(await kit.token({ iss: ISSUER_FLAKY }, { key: kit.keys.flaky })),
    expect: ok({ ...service, issuer: ISSUER_FLAKY }),
  },
  // Optional mode
  { name: 'optional: no token', path: '/optional/whoami', expect: ok(null) },
  {
    name: 'optional: valid token',
    path: '/optional/whoami',
    authorization: withToken(),
    expect: ok(service),
  },
  {
    name: 'optional: bad token still refused',
    path: '/optional/whoami',
    authorization: withToken({ aud: 'billing' }),
    expect: rejected(401, 'invalid_audience', 'token not meant for this service'),
  },
  {
    name: 'optional: guarded route without token',
    method: 'POST',
    path: '/optional/orders',
    // The guard knows the verifier that let the request through, and so its realm.
    expect: missingToken,
  },
  {
    name: 'optional: guarded route with permission',
    method: 'POST',
    path: '/optional/orders',
    authorization: withToken({ permissions: ['orders:create'] }),
    expect: ok(service),
  },
  // Errors that are not the adapter's
  {
    name: 'handler error after auth is a 500, not a 401',
    path: '/api/boom',
    authorization: withToken(),
    expect: { status: 500, wwwAuthenticate: null },
  },
  { name: 'guard without serviceAuth', path: '/open/guarded', expect: missingTokenNoRealm },
  // The app's own error handler
  {
    name: "app's error handler: no token",
    path: '/delegated/whoami',
    expect: {
      status: 401,
      wwwAuthenticate: 'Bearer realm="payments"',
      body: { handledBy: 'app', code: 'missing_token' },
    },
  },
  {
    name: "app's error handler: guard failure",
    method: 'POST',
    path: '/delegated/orders',
    authorization: withToken(),
    expect: {
      status: 403,
      wwwAuthenticate: challenge('insufficient_scope', 'insufficient permission'),
      body: { handledBy: 'app', code: 'insufficient_permission' },
    },
  },
  {
    name: "app's error handler: valid token",
    method: 'POST',
    path: '/delegated/orders',
    authorization: withToken({ permissions: ['orders:create'] }),
    expect: ok(service),
  },
  {
    name: "app's error handler: handler error after auth",
    path: '/delegated/boom',
    authorization: withToken(),
    expect: { status: 500, wwwAuthenticate: null, body: { handledBy: 'app', code: 'internal_error' } },
  },
  // HMAC-signed requests: one authenticator; each framework checks the body where it parses it
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
    expect: rejectedSigned(403, 'insufficient_permission', 'insufficient permission'),
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
      body: { error: 'unauthorized', error_description: 'missing request signature', code: 'missing_token' },
    },
  },
  // mTLS: client certificates as identities (served over HTTPS, certificates made by the suite's CA)
  {
    name: 'mTLS: trusted certificate',
    path: '/mtls/whoami',
    clientCertificate: 'billing',
    expect: ok(mtlsCaller),
  },
  {
    name: 'mTLS: permission from the grants',
    path: '/mtls/orders',
    clientCertificate: 'billing',
    expect: ok(mtlsCaller),
  },
  {
    name: 'mTLS: requireCaller on the identity',
    path: '/mtls/internal',
    clientCertificate: 'billing',
    expect: ok(mtlsCaller),
  },
  {
    name: 'mTLS: identity without the permission',
    path: '/mtls/orders',
    clientCertificate: 'shop',
    expect: rejectedWith('mTLS', 403, 'insufficient_permission', 'insufficient permission'),
  },
  {
    name: 'mTLS: identity not among the callers',
    path: '/mtls/internal',
    clientCertificate: 'shop',
    expect: rejectedWith('mTLS', 403, 'caller_not_allowed', 'caller not allowed'),
  },
  {
    name: 'mTLS: no client certificate',
    path: '/mtls/whoami',
    expect: certificateRequired,
  },
  {
    name: 'mTLS: a bearer token is no client certificate',
    path: '/mtls/whoami',
    authorization: withToken(),
    expect: certificateRequired,
  },
  {
    name: 'mTLS: expired certificate',
    path: '/mtls/whoami',
    clientCertificate: 'expired',
    expect: untrusted('client certificate expired'),
  },
  {
    name: 'mTLS: certificate of an untrusted CA',
    path: '/mtls/whoami',
    clientCertificate: 'untrusted',
    expect: untrusted('client certificate issuer not trusted'),
  },
  {
    name: 'mTLS: certificate without the identity the rule reads',
    path: '/mtls/whoami',
    clientCertificate: 'unnamed',
    expect: untrusted('client certificate has no URI name'),
  },
  {
    name: 'mTLS: an identity counts as bound',
    path: '/mtls/bound',
    clientCertificate: 'billing',
    expect: ok(mtlsCaller),
  },
  // Certificate-bound tokens (RFC 8705): the token works only over a connection with its certificate
  {
    name: 'certificate-bound token with its certificate',
    path: '/api/whoami',
    clientCertificate: 'billing',
    authorization: boundTo('billing'),
    expect: ok(service),
  },
  {
    name: 'certificate-bound token with another certificate',
    path: '/api/whoami',
    clientCertificate: 'shop',
    authorization: boundTo('billing'),
    expect: rejected(401, 'certificate_mismatch', 'token is bound to another client certificate'),
  },
  {
    name: 'certificate-bound token without certificate',
    path: '/api/whoami',
    authorization: boundTo('billing'),
    expect: rejected(
      401,
      'certificate_mismatch',
      'certificate-bound token presented without a client certificate',
    ),
  },
  {
    name: 'certificate-bound token on a route requiring binding',
    path: '/dpop/bound',
    clientCertificate: 'billing',
    authorization: boundTo('billing'),
    expect: ok(service),
  },
  {
    name: 'bearer token on a route requiring binding',
    path: '/dpop/bound',
    authorization: withToken(),
    expect: {
      ...rejected(403, 'token_kind_not_allowed', 'sender-constrained token required'),
      wwwAuthenticate: challenge('insufficient_scope', 'sender-constrained token required'),
    },
  },
  // DPoP (RFC 9449): a token bound to a key works only with a fresh proof of that key
  {
    name: 'DPoP: bound token with a valid proof',
    path: '/dpop/whoami',
    credentials: dpop(),
    expect: ok(service),
  },
  {
    name: 'DPoP: permission check on a DPoP request',
    path: '/dpop/orders',
    credentials: dpop({ claims: { permissions: ['orders:read'] } }),
    expect: ok(service),
  },
  {
    name: 'DPoP: guard failure is challenged with DPoP',
    path: '/dpop/orders',
    credentials: dpop(),
    expect: rejectedWith('DPoP', 403, 'insufficient_permission', 'insufficient permission'),
  },
  {
    name: 'DPoP: bound token on a route requiring binding',
    path: '/dpop/bound',
    credentials: dpop(),
    expect: ok(service),
  },
  {
    name: 'DPoP: no proof',
    path: '/dpop/whoami',
    credentials: dpop({ noProof: true }),
    expect: invalidProof('missing DPoP proof'),
  },
  {
    name: 'DPoP: proof for another URL',
    path: '/dpop/whoami',
    credentials: (kit, request) => dpop({ url: request.url.replace('/whoami', '/orders') })(kit, request),
    expect: invalidProof('DPoP proof htu does not match the request URL'),
  },
  {
    name: 'DPoP: proof for another method',
    path: '/dpop/whoami',
    credentials: dpop({ method: 'POST' }),
    expect: invalidProof('DPoP proof htm does not match the request method'),
  },
  {
    name: 'DPoP: proof for another token',
    path: '/dpop/whoami',
    credentials: dpop({ accessToken: 'another-token' }),
    expect: invalidProof('DPoP proof ath does not match the access token'),
  },
  {
    name: 'DPoP: proof signed by another key',
    path: '/dpop/whoami',
    credentials: dpop({ otherKey: true }),
    expect: dpopRejected('invalid_claim', 'invalid DPoP key binding', 'invalid_token'),
  },
  {
    name: 'DPoP: proof replayed',
    path: '/dpop/whoami',
    replay: true,
    credentials: dpop(),
    expect: invalidProof('DPoP proof already used'),
  },
  {
    name: 'DPoP: bound token sent as a bearer token',
    path: '/dpop/whoami',
    credentials: dpop({ scheme: 'Bearer' }),
    expect: {
      status: 401,
      wwwAuthenticate: `${challenge('invalid_token', 'DPoP-bound token sent as a bearer token')}, DPoP realm="payments", ${DPOP_ALGS}`,
      body: {
        error: 'invalid_token',
        error_description: 'DPoP-bound token sent as a bearer token',
        code: 'invalid_token_type',
      },
    },
  },
  {
    name: 'DPoP: bound token where DPoP is not enabled',
    path: '/api/whoami',
    credentials: dpop({ scheme: 'Bearer', noProof: true }),
    expect: rejected(401, 'invalid_token_type', 'DPoP-bound token sent as a bearer token'),
  },
  {
    name: 'DPoP: unbound token with the DPoP scheme',
    path: '/dpop/whoami',
    credentials: dpop({ unbound: true }),
    expect: dpopRejected('invalid_token_type', 'token is not DPoP-bound', 'invalid_token'),
  },
  {
    name: 'DPoP: bearer tokens still accepted where DPoP is optional',
    path: '/dpop/whoami',
    authorization: withToken(),
    expect: ok(service),
  },
  {
    name: 'DPoP: no credentials get both challenges',
    path: '/dpop/whoami',
    expect: {
      ...missingToken,
      wwwAuthenticate: `Bearer realm="payments", DPoP realm="payments", ${DPOP_ALGS}`,
    },
  },
  {
    name: 'DPoP: proof without the server nonce',
    path: '/dpop-nonce/whoami',
    credentials: dpop(),
    expect: {
      ...dpopRejected('use_dpop_nonce', 'DPoP proof needs the server nonce'),
      headersSent: ['dpop-nonce'],
    },
  },
  {
    name: 'DPoP: proof with the server nonce',
    path: '/dpop-nonce/whoami',
    credentials: dpop({ nonce: true }),
    expect: ok(service),
  },
  // A reused token, answered from the verified-token cache without a promise (authenticateCached)
  {
    name: 'reused token: the second request from the cache',
    path: '/cached/whoami',
    replay: true,
    authorization: withToken(),
    expect: ok(service),
  },
  {
    name: 'reused token: guards apply to a cached context',
    path: '/cached/orders',
    replay: true,
    authorization: withToken({ permissions: ['orders:read'] }),
    expect: ok(service),
  },
  {
    name: 'reused token: a guard refuses a cached context',
    path: '/cached/internal',
    authorization: withToken(),
    expect: rejected(403, 'caller_not_allowed', 'caller not allowed'),
  },
];
