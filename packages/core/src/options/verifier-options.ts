import type { KeyObject } from 'node:crypto';
import type { AuthContext } from '../auth-context.js';
import type { Policy } from '../authz/policies.js';
import type { RoleMap } from '../authz/role-map.js';
import type { CertificateBinding } from '../binding/certificate-binding.js';
import type { DelegationOptions } from '../delegation/delegation.js';
import type { DpopOptions } from '../dpop/dpop-options.js';
import type { AuthEventListener } from '../events.js';
import type { SessionCheck } from '../identity/sessions.js';
import type { Algorithm } from '../keys/algorithms.js';
import type { KeyMaterial } from '../keys/key-entry.js';
import type { RevocationStore } from '../revocation/revocation-store.js';
import type { RequestLike } from '../token/request.js';
import type { Duration } from './duration.js';

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/** Settings of a remote JWKS. Durations are seconds or strings such as `'10m'`. */
export interface RemoteKeyOptions {
  /** How long fetched keys are used before they are refetched. Default `'10m'`. */
  readonly cacheMaxAge?: Duration;
  /**
   * Least time between two fetches triggered by an unknown `kid` or by a failure. Default `'30s'`.
   */
  readonly cooldown?: Duration;
  /** Time limit of one fetch, body included. Default `'5s'`. */
  readonly timeout?: Duration;
  /**
   * How long past `cacheMaxAge` the last good keys keep serving while the endpoint fails.
   * After that, requests fail with 503 `keys_unavailable`. Default `'1h'`.
   */
  readonly maxStale?: Duration;
  /** Largest JWKS (or metadata) document, in bytes. Default `262144` (256 KiB). */
  readonly maxResponseBytes?: number;
  /** Most keys read from one JWKS. Default `50`. */
  readonly maxKeys?: number;
  /**
   * Fetch the keys as soon as the verifier is built, and refresh them on a timer at 80% of
   * `cacheMaxAge` (after a failure: after `cooldown`), so that no request waits for a fetch even
   * after a quiet period. The timer never keeps the process alive; `verifier.close()` stops it.
   * Default `false`: keys are fetched on demand and refreshed ahead by requests.
   */
  readonly backgroundRefresh?: boolean;
  /**
   * Allow `http:` URLs on hosts other than loopback. Default `false`: keys travel over https,
   * or over http only to `localhost`/`127.0.0.0/8`/`[::1]`. Turn on only inside a network you
   * trust (for example a mesh that already encrypts traffic).
   */
  readonly allowInsecureHttp?: boolean;
  /** `fetch` implementation for this issuer (custom agents, proxies, mTLS). Default: the verifier's. */
  readonly fetch?: typeof globalThis.fetch;
}

interface IssuerBase {
  /** The exact `iss` value of this issuer's tokens. */
  readonly issuer: string;
  /**
   * Algorithms accepted from this issuer. Default: the asymmetric ones (RS*, PS*, ES*, EdDSA,
   * Ed25519). `none` is never accepted; HS* only with `secret`.
   */
  readonly algorithms?: readonly Algorithm[];
}

/** Keys from a JWKS URL. */
export interface JwksUriIssuer extends IssuerBase, RemoteKeyOptions {
  readonly jwksUri: string | URL;
}

/** Keys from the JWKS URL named in the issuer's metadata (OpenID Connect discovery, RFC 8414). */
export interface DiscoveryIssuer extends IssuerBase, RemoteKeyOptions {
  readonly discovery: true;
}

/** Keys from a JWKS given inline. */
export interface StaticJwksIssuer extends IssuerBase {
  readonly jwks: JsonWebKeySet;
}

/** One or several public keys: PEM (SPKI or certificate), JWK, `KeyObject` or `CryptoKey`. */
export interface PublicKeyIssuer extends IssuerBase {
  readonly publicKey: KeyMaterial | readonly KeyMaterial[];
}

/**
 * A shared secret for HS256/HS384/HS512. Allowed only with an explicit `algorithms` list of
 * HS algorithms; the secret must be at least as long as the hash (32 bytes for HS256).
 */
export interface SecretIssuer extends IssuerBase {
  readonly secret: string | Uint8Array | KeyObject;
  readonly algorithms: readonly ('HS256' | 'HS384' | 'HS512')[];
}

/** One trusted issuer and where its keys come from. */
export type IssuerOptions =
  | JwksUriIssuer
  | DiscoveryIssuer
  | StaticJwksIssuer
  | PublicKeyIssuer
  | SecretIssuer;

/** Rules for one kind of token (service or user). Unset fields fall back to the top level. */
export interface TokenRules {
  /** Issuers (their `issuer` strings) whose tokens of this kind are accepted. Default: all. */
  readonly issuers?: readonly string[];
  /** Accepted audiences for this kind. Default: the top-level `audience`. */
  readonly audience?: string | readonly string[];
  /** Required `typ` header, e.g. `'at+jwt'` (compared as RFC 8725 §3.11 says). */
  readonly typ?: string;
  /** Claims that must be present. */
  readonly requiredClaims?: readonly string[];
  /** Largest age of a token, from its `iat` (which it then must have). */
  readonly maxTokenAge?: Duration;
  /**
   * Accept tokens whose `aud` names several audiences. Default `false` for service tokens (any
   * of the audiences could replay it) and `true` for user tokens.
   */
  readonly allowMultipleAudiences?: boolean;
}

/** Rules for service tokens. */
export interface ServiceTokenRules extends TokenRules {
  /**
   * Calling services allowed to call this service: exact identities (`'orders'`) or prefixes
   * ending in `/*` or `:*` (`'spiffe://prod/ns/billing/*'`). Default: every caller.
   */
  readonly callers?: readonly string[];
  /** The claim that names the calling service: `'sub'` (default), `'azp'`, `'client_id'`, ... */
  readonly callerClaim?: string;
}

/**
 * A custom check, run after every built-in check with the whole verified context. Return
 * `false` (or throw an `AuthError`) to reject; `false` answers 403 `access_denied`.
 */
export type AuthCheck = (
  auth: AuthContext,
  request: RequestLike | undefined,
) => CheckResult | Promise<CheckResult>;

/** What a custom check returns: `false` rejects; `true`, nothing or `undefined` lets it pass. */
// biome-ignore lint/suspicious/noConfusingVoidType: an async check that only throws returns Promise<void>.
export type CheckResult = boolean | undefined | void;

/** Options of `createVerifier`. Everything is validated when the verifier is built. */
export interface VerifierOptions {
  /** The trusted issuers; a token's `iss` picks its issuer and so its keys. */
  readonly issuers: IssuerOptions | readonly IssuerOptions[];
  /**
   * The audience(s) this service answers to, matched exactly against the token's `aud`.
   * Required unless every accepted kind sets its own.
   */
  readonly audience?: string | readonly string[];
  /** Service-token rules, `true` for the defaults, or `false` to refuse service tokens. Default `true`. */
  readonly services?: ServiceTokenRules | boolean;
  /** User-token rules, `true` for the defaults, or `false` to refuse user tokens. Default `false`. */
  readonly users?: TokenRules | boolean;
  /**
   * The claim that marks service tokens. Default `{ claim: 'source', value: 'microservice' }`.
   * A token carrying it is a service token; any other token is a user token.
   */
  readonly serviceMarker?: { readonly claim: string; readonly value: string | number | boolean };
  /** Leeway for `exp`, `nbf` and `iat`. Default `'5s'`. */
  readonly clockTolerance?: Duration;
  /**
   * Largest accepted lifetime: `exp` minus `iat` (or minus now, without `iat`). Default `'24h'`.
   * To admit long-lived legacy tokens, raise it explicitly, e.g. `maxLifetime: '10y'`.
   */
  readonly maxLifetime?: Duration;
  /** Largest token age from `iat`, for every kind. Default: none. */
  readonly maxTokenAge?: Duration;
  /** Required `typ` header for every kind. Default: none. */
  readonly typ?: string;
  /** Claims every token must carry. Default: none. */
  readonly requiredClaims?: readonly string[];
  /**
   * Claims that list granted permissions: arrays of strings, or space-separated strings such as
   * OAuth's `scope`. Default `['permissions', 'scope']`.
   */
  readonly permissionClaims?: readonly string[];
  /** Claim with the token's role names. Default `'roles'`. */
  readonly roleClaim?: string;
  /** Permissions granted by each role, e.g. `{ admin: ['*'], support: ['orders:read', 'tickets:*'] }`. */
  readonly roles?: RoleMap;
  /** Revocation store, checked on every request after the signature. */
  readonly revocation?: RevocationStore;
  /** Custom checks, run in order after the built-in ones. */
  readonly checks?: readonly AuthCheck[];
  /**
   * Cache of verified signatures, keyed by the exact token string, bounded, each entry kept until
   * its token expires or its key leaves the key set. Time claims, callers, revocation and custom
   * checks still run on every request. Default `{ maxEntries: 10000 }`; `false` turns it off.
   */
  readonly cache?: false | { readonly maxEntries?: number };
  /** Largest accepted token, in bytes. Default `8192`. */
  readonly maxTokenLength?: number;
  /** Query parameter that may carry the token, or `false` (default). */
  readonly queryParameter?: string | false;
  /** Replaces the `Authorization: Bearer` extraction (read another header, a cookie, ...). */
  readonly extractToken?: (request: RequestLike) => string | undefined;
  /** `realm` in `WWW-Authenticate` challenges. Default: none. */
  readonly realm?: string;
  /** Receives accepted, rejected and key events, for your own logger. */
  readonly onEvent?: AuthEventListener;
  /** Default remote JWKS settings for every remote issuer. */
  readonly remoteKeys?: RemoteKeyOptions;
  /** `fetch` used for JWKS and metadata. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Clock, in milliseconds since the epoch. Default `Date.now`. For tests. */
  readonly now?: () => number;
  /**
   * An existing session check, tried before the bearer token by `authenticate()`: `undefined`
   * means "no session, try the token"; a result makes a `user` context; a thrown `AuthError`
   * rejects the request (never retried as a token). Custom `checks` run on session contexts too.
   * Default: none.
   */
  readonly sessions?: SessionCheck;
  /**
   * Calls on behalf of a user: a forwarded user token header and/or trusted token-exchange
   * issuers (`act` claim, RFC 8693). Default: none (an `act` claim is then not interpreted).
   */
  readonly delegation?: DelegationOptions;
  /**
   * Attribute-based policies used by `authorize(action, { resource })`: deny overrides allow,
   * nothing allowing is 403 `policy_denied`. Default: none.
   */
  readonly policies?: readonly Policy[];
  /**
   * DPoP sender-constrained tokens (RFC 9449): accept `Authorization: DPoP <token>` with a `DPoP`
   * proof, and accept a token with `cnf.jkt` only that way. Default: off, and then a token with
   * `cnf.jkt` is always refused (a bound token is never a bearer token). See {@link DpopOptions}
   * for `required`, `algorithms`, `origin` (read it before relying on the Host header), the proof
   * age window, the replay store and server nonces. Cannot be combined with `extractToken`.
   */
  readonly dpop?: DpopOptions;
  /**
   * Certificate-bound tokens (RFC 8705 §3). A token whose `cnf` claim has `x5t#S256` is always
   * accepted only over a TLS connection whose client certificate has that SHA-256 thumbprint
   * (whether or not the certificate chains to a CA the server trusts: the handshake proved the
   * client holds its key); otherwise 401 `certificate_mismatch`. `'required'` also refuses every
   * token without that binding ("token is not bound to a client certificate"). The server must
   * ask for client certificates (`https.createServer({ requestCert: true, ... })`), and behind a
   * proxy that terminates TLS the binding cannot be checked. Default `'optional'`.
   */
  readonly certificateBinding?: CertificateBinding;
}
