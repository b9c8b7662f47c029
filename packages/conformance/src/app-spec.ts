import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import {
  type AuthContext,
  AuthError,
  type Authenticator,
  createAuthContext,
  createHmacAuthenticator,
  createMtlsAuthenticator,
  createVerifier,
  deny,
  isAuthError,
  MemoryRevocationStore,
  type Policy,
  type Verifier,
  type VerifierOptions,
} from '@org/auth-core';
import type { GuardFactories } from '@org/auth-core/adapter';
import { jwkThumbprint } from '@org/auth-core/protocol';
import { createTestCertificateAuthority, type TestCertificate } from '@org/auth-testing';
import type { ClientTls, Running } from './client.js';
import { type JwksServer, startJwksServer } from './jwks-server.js';
import { type ClaimPatch, createSigningKey, type MintOptions, mint, type SigningKey } from './tokens.js';

export const AUDIENCE = 'payments';
export const REALM = 'payments';
export const ISSUER_A = 'https://auth-a.internal';
export const ISSUER_B = 'https://auth-b.internal';
/** Remote keys, from a JWKS endpoint the suite switches off. */
export const ISSUER_FLAKY = 'https://flaky.internal';
/** Remote keys, from a JWKS endpoint that always fails. */
export const ISSUER_DOWN = 'https://down.internal';
export const REVOKED_JTI = 'revoked-token-1';
/** The token-exchange service (RFC 8693): the only issuer whose tokens may carry `act`. */
export const ISSUER_STS = 'https://sts.internal';
/** The header that carries a forwarded user token. */
export const USER_TOKEN_HEADER = 'x-user-token';

/**
 * The front end's sessions, as an existing session check would find them from the `x-session`
 * header: `alice` (role `clerk`), `expired` (rejected with "session expired"), anything else none.
 */
export const sessions: NonNullable<VerifierOptions['sessions']> = (request) => {
  const id = request.headers['x-session'];
  if (id === 'alice') return { subject: 'alice@example.com', roles: ['clerk'] };
  if (id === 'expired') throw new AuthError('token_expired', { description: 'session expired' });
  return undefined;
};

/**
 * What every target builds, with its framework and nothing else:
 *
 * - `/api`: `serviceAuth(spec.options)`, rejections answered by the adapter
 *   - `GET /whoami` (both kinds), the {@link guardedRoutes}, `GET /boom` throws `new Error('boom')`,
 *     `GET /documents/:id` authorize('documents:read'), `POST /documents/:id`
 *     authorize('documents:write') made by the `/api` middleware itself (Express and Koa
 *     `serviceAuth(...).authorize`, Fastify `app.authorize`), both with {@link loadDocument}
 *     and echoing the resource
 * - `/optional`: `serviceAuth({ verifier: spec.verifier, optional: true })`
 *   - `GET /whoami`, `POST /orders` requirePermission('orders:create')
 * - `/delegated`: `serviceAuth({ verifier: spec.verifier, onError: 'forward' })`, rendered by
 *   the app's own error handler with {@link appError}
 *   - `GET /whoami`, `POST /orders` requirePermission('orders:create'), `GET /boom` throws
 * - `/any`: `serviceAuth({ authenticator: anyOf(spec.verifier, apiKeys) })`
 *   - `GET /whoami`, `GET /orders` requirePermission('orders:read')
 * - `/all`: `serviceAuth({ authenticator: allOf(spec.verifier, apiKeys) })`: `GET /whoami`
 * - `GET /open/guarded`: requirePermission('orders:read') without any serviceAuth
 * - `/signed`: `serviceAuth({ authenticator: spec.signed })` (HMAC-signed requests), then the
 *   framework's JSON body parsing wired to check signed bodies (Express `express.json({ verify:
 *   verifyBody })`, `checkBody()` and `authErrorHandler()`, Koa `@koa/bodyparser` and `verifyBody()`, Fastify
 *   nothing: the plugin hooks its parser)
 *   - `GET /whoami`, `POST /orders` requirePermission('orders:create'), both answering
 *     {@link echo} with the parsed body ({@link echoBody})
 * - each of `spec.groups`: `serviceAuth({ authenticator })` under its prefix, with `GET /whoami`,
 *   `GET /orders` requirePermission('orders:read'), `GET /internal`
 *   requireCaller('spiffe://prod/ns/billing/*') and `GET /bound` requireBoundToken()
 *
 * With `spec.tls`, the app is served over HTTPS, asking for client certificates and letting
 * unverified ones through to the application (`requestCert: true, rejectUnauthorized: false`).
 *
 * The shared options accept service tokens, user tokens and {@link sessions} (tried first).
 *
 * Every handler answers 200 with {@link echo} of the request's auth context.
 */
export interface AppSpec {
  readonly options: VerifierOptions;
  /** A verifier built from the same options, for the routes that share one. */
  readonly verifier: Verifier;
  readonly echo: typeof echo;
  readonly appError: typeof appError;
  /** The HMAC authenticator of `/signed`. */
  readonly signed: Authenticator;
  /** Authenticated route groups every target builds the same way (see above). */
  readonly groups: readonly AuthGroup[];
  /** Serve over HTTPS with this key and certificate, trusting client certificates of `ca`. */
  readonly tls?: ServerTls;
}

/** A prefix whose routes authenticate with `authenticator`. */
export interface AuthGroup {
  readonly prefix: string;
  readonly authenticator: Authenticator;
}

/** The HTTPS options of a target. */
export interface ServerTls {
  readonly key: string;
  readonly cert: string;
  /** The CA of trusted client certificates. */
  readonly ca: string;
}

/** `https.createServer` options for a target: ask for client certificates, let the app decide. */
export function httpsOptions(tls: ServerTls) {
  return { ...tls, requestCert: true, rejectUnauthorized: false };
}

/**
 * A custom authenticator for `/any` and `/all`: `x-api-key: batch-key` is the `batch` service with
 * `orders:read`; any other key is refused with 401 "invalid API key"; no header, no credentials.
 */
export const apiKeys: Authenticator = {
  async authenticate(request) {
    const key = request.headers['x-api-key'];
    if (key === undefined) return undefined;
    if (key !== 'batch-key') throw new AuthError('invalid_signature', { description: 'invalid API key' });
    return createAuthContext({
      kind: 'service',
      subject: 'batch',
      issuer: 'api-keys',
      permissions: ['orders:read'],
    });
  },
};

/** The guards of {@link guardedRoutes}: every adapter exports them under these names. */
export type RouteGuards<M> = Pick<
  GuardFactories<M>,
  | 'requirePermission'
  | 'requireAnyPermission'
  | 'requireRole'
  | 'requireCaller'
  | 'requireKind'
  | 'requireUser'
  | 'requireUserPermission'
>;

/**
 * The guarded routes of `/api`, as `[method, path, guard]`, made with an adapter's guards; each
 * route answers {@link echo}.
 */
export function guardedRoutes<M>(auth: RouteGuards<M>): readonly (readonly ['get' | 'post', string, M])[] {
  return [
    ['post', '/orders', auth.requirePermission('orders:create')],
    ['get', '/orders', auth.requireAnyPermission('orders:read', 'orders:admin')],
    ['get', '/admin', auth.requireRole('admin')],
    ['get', '/internal', auth.requireCaller('orders', 'spiffe://prod/ns/billing/*')],
    ['get', '/service-only', auth.requireKind('service')],
    ['get', '/user-required', auth.requireUser()],
    ['get', '/user-orders', auth.requireUserPermission('orders:read')],
  ];
}

/** A document as the `/api/documents/:id` routes load it. */
export interface Document {
  readonly id: string;
  readonly ownerId: string;
  readonly frozen?: boolean;
}
const DOCUMENTS: Readonly<Record<string, Document>> = {
  d1: { id: 'd1', ownerId: 'alice@example.com' },
  d2: { id: 'd2', ownerId: 'bob@example.com', frozen: true },
};
/** The resource loader of the document routes; each target passes its route parameter. */
export async function loadDocument(id: unknown): Promise<Document | undefined> {
  return typeof id === 'string' ? DOCUMENTS[id] : undefined;
}

/**
 * The policies of the document routes: admins may do anything, owners (also through a service
 * acting for them) may read and write their documents, nobody writes a frozen one.
 */
export const policies: readonly Policy<Document | undefined>[] = [
  { name: 'admin bypass', decide: ({ auth }) => (auth.hasRole('admin') ? 'allow' : undefined) },
  {
    name: 'owner',
    actions: ['documents:*'],
    decide: ({ auth, resource }) =>
      resource !== undefined && resource.ownerId === auth.user?.subject ? 'allow' : undefined,
  },
  {
    name: 'frozen',
    actions: ['documents:write'],
    decide: ({ resource }) => (resource?.frozen ? deny('document is frozen') : undefined),
  },
];

/** A framework under test: builds the app of {@link AppSpec} and listens on loopback. */
export interface Target {
  readonly name: string;
  start(spec: AppSpec): Promise<Running>;
}

/** The body of every successful handler. */
export function echo(
  auth: AuthContext | null | undefined,
  resource?: unknown,
): { auth: Record<string, unknown> | null; resource?: unknown } {
  return { auth: auth?.toJSON() ?? null, ...(resource === undefined ? {} : { resource }) };
}

/**
 * The body of `/signed` handlers: the auth context and the body as the framework parsed it, with
 * "no body" (`undefined`, `null`, or the `{}` some parsers make of nothing) as `null`.
 */
export function echoBody(auth: AuthContext | null | undefined, body: unknown) {
  const empty =
    body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0);
  return { ...echo(auth), body: empty ? null : body };
}

/** What the app's own error handler answers, for `/delegated`. */
export function appError(error: unknown): {
  status: number;
  headers: Record<string, string>;
  body: { handledBy: 'app'; code: string };
} {
  if (isAuthError(error)) {
    // Express and Koa apps read `status`, Fastify's `statusCode`: both must carry the answer.
    if (error.status !== error.statusCode) {
      return { status: 500, headers: {}, body: { handledBy: 'app', code: 'inconsistent_status' } };
    }
    return {
      status: error.status,
      headers: { ...error.headers },
      body: { handledBy: 'app', code: error.code },
    };
  }
  return { status: 500, headers: {}, body: { handledBy: 'app', code: 'internal_error' } };
}

/**
 * The {@link AppSpec} for verifier `options` (with the document {@link policies} unless they
 * bring their own): a verifier of them, and `signed` (by default an HMAC authenticator with a
 * random secret nobody knows, for suites that do not sign).
 */
export function appSpec(verifierOptions: VerifierOptions, kit?: Kit): AppSpec {
  // The document routes check these policies; suites that never call them still declare them.
  const options = { policies: policies as readonly Policy[], ...verifierOptions };
  return {
    options,
    verifier: createVerifier(options),
    echo,
    appError,
    signed:
      kit?.signed ??
      createHmacAuthenticator({ services: { nobody: { secrets: [randomBytes(32)] } }, realm: REALM }),
    groups: kit?.groups ?? [],
    ...(kit === undefined ? {} : { tls: kit.tls.server }),
  };
}

/**
 * Client certificates of the suite: `billing` (spiffe://prod/ns/billing/sa/api) and `shop`
 * (spiffe://prod/ns/shop/sa/web) from the trusted CA; `expired` (billing's identity, expired);
 * `untrusted` (billing's identity, from another CA); `unnamed` (trusted, with a DNS name only).
 */
export type ClientCertificate = 'billing' | 'shop' | 'expired' | 'untrusted' | 'unnamed';
export const BILLING_SPIFFE_ID = 'spiffe://prod/ns/billing/sa/api';

function createTls(): Kit['tls'] {
  const ca = createTestCertificateAuthority({ name: 'Conformance CA' });
  const other = createTestCertificateAuthority({ name: 'Untrusted CA' });
  const server = ca.issue({ ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'], usage: 'server' });
  const clients: Record<ClientCertificate, TestCertificate> = {
    billing: ca.issue({ uris: [BILLING_SPIFFE_ID] }),
    shop: ca.issue({ uris: ['spiffe://prod/ns/shop/sa/web'] }),
    expired: ca.issue({
      uris: [BILLING_SPIFFE_ID],
      notBefore: new Date(Date.now() - 7_200_000),
      notAfter: new Date(Date.now() - 3_600_000),
    }),
    untrusted: other.issue({ uris: [BILLING_SPIFFE_ID] }),
    unnamed: ca.issue({ dnsNames: ['billing.internal'] }),
  };
  return {
    server: { key: server.key, cert: server.cert, ca: ca.cert },
    clients,
    client: (name) => ({
      ca: ca.cert,
      ...(name === undefined ? {} : { cert: clients[name].cert, key: clients[name].key }),
    }),
  };
}

/** Keys, the JWKS server and a token minter shared by every scenario. */
export interface Kit {
  readonly keys: {
    readonly a: SigningKey;
    readonly b: SigningKey;
    readonly flaky: SigningKey;
    readonly sts: SigningKey;
  };
  readonly jwks: JwksServer;
  readonly options: VerifierOptions;
  /** The shared secrets of the services that sign requests to `/signed`. */
  readonly secrets: { readonly billing: string; readonly batch: string };
  /** The HMAC authenticator of `/signed`: `billing` may create orders, `batch` has no permission. */
  readonly signed: Authenticator;
  /**
   * The groups: `/mtls` (client certificates: SPIFFE IDs of trust domain `prod`; `billing/*` may
   * read orders), `/dpop` (the shared options with DPoP), `/dpop-nonce` (DPoP with server nonces)
   * and `/cached` (service tokens of caller `orders` only, answered from the cache when reused).
   */
  readonly groups: readonly AuthGroup[];
  /** The verifier of `/dpop-nonce`, to get a nonce as a client would have from an earlier answer. */
  readonly dpopNonces: Verifier;
  /** The client's DPoP key and its RFC 7638 thumbprint (`cnf.jkt` of bound tokens). */
  readonly dpop: { readonly key: KeyObject; readonly jkt: string };
  /** The server's TLS options and the client side of each test certificate. */
  readonly tls: {
    readonly server: ServerTls;
    /** Certificates a client may present (see {@link ClientCertificate}). */
    readonly clients: Readonly<Record<ClientCertificate, TestCertificate>>;
    /** What a client passes to connect, with one of the certificates or none. */
    client(name?: ClientCertificate): ClientTls;
  };
  /** Mints a token of issuer A (see `mint`), or of another issuer/key. */
  token(claims?: ClaimPatch, options?: Partial<MintOptions>): Promise<string>;
  close(): Promise<void>;
}

export async function createKit(): Promise<Kit> {
  const keys = {
    a: await createSigningKey('a-1'),
    b: await createSigningKey('b-1'),
    flaky: await createSigningKey('flaky-1', 'RS256'),
    sts: await createSigningKey('sts-1'),
  };
  const jwks = await startJwksServer([keys.flaky.jwk]);
  const revocation = new MemoryRevocationStore();
  revocation.revokeToken(REVOKED_JTI, { expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  const options: VerifierOptions = {
    issuers: [
      { issuer: ISSUER_A, jwks: { keys: [keys.a.jwk] } },
      { issuer: ISSUER_B, jwks: { keys: [keys.b.jwk] } },
      { issuer: ISSUER_STS, jwks: { keys: [keys.sts.jwk] } },
      { issuer: ISSUER_FLAKY, jwksUri: `${jwks.url}/flaky/jwks.json` },
      { issuer: ISSUER_DOWN, jwksUri: `${jwks.url}/down/jwks.json` },
    ],
    audience: AUDIENCE,
    services: { callers: ['orders', 'inventory', 'spiffe://prod/ns/billing/*'] },
    users: true,
    roles: { admin: ['*'], clerk: ['orders:read'] },
    realm: REALM,
    revocation,
    remoteKeys: { cooldown: 1, timeout: 2 },
    sessions,
    delegation: { userTokenHeader: USER_TOKEN_HEADER, tokenExchangeIssuers: [ISSUER_STS] },
    policies: policies as readonly Policy[],
  };
  const secrets = {
    billing: randomBytes(32).toString('base64url'),
    batch: randomBytes(32).toString('base64url'),
  };
  const signed = createHmacAuthenticator({
    services: {
      billing: { secrets: [secrets.billing], permissions: ['orders:create'] },
      batch: { secrets: [secrets.batch] },
    },
    realm: REALM,
  });
  const mtls = createMtlsAuthenticator({
    trustDomains: ['prod'],
    grants: { 'spiffe://prod/ns/billing/*': { permissions: ['orders:read'] } },
    realm: REALM,
  });
  const dpopNonces = createVerifier({ ...options, dpop: { nonce: true } });
  const groups: AuthGroup[] = [
    { prefix: '/mtls', authenticator: mtls },
    { prefix: '/dpop', authenticator: createVerifier({ ...options, dpop: {} }) },
    { prefix: '/dpop-nonce', authenticator: dpopNonces },
    // No sessions, revocation or checks: a token seen before is answered synchronously.
    {
      prefix: '/cached',
      authenticator: createVerifier({
        issuers: options.issuers,
        audience: AUDIENCE,
        services: { callers: ['orders'] },
        realm: REALM,
      }),
    },
  ];
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    keys,
    jwks,
    options,
    secrets,
    signed,
    groups,
    dpopNonces,
    dpop: { key: privateKey, jkt: jwkThumbprint(privateKey) },
    tls: createTls(),
    token: (claims = {}, options = {}) => mint({ key: keys.a, issuer: ISSUER_A, claims, ...options }),
    close: () => jwks.close(),
  };
}
