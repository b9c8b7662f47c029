import type { KeyObject } from 'node:crypto';
import type { Duration } from '../lib/duration.js';
import type { Algorithm } from './algorithms.js';
import type { KeyMaterial } from './key-entry.js';

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/** Settings of a remote JWKS. Durations are seconds or strings such as `'10m'`. */
export interface RemoteKeyOptions {
  /** How long fetched keys are used before they are refetched. Default `'10m'`. */
  readonly cacheMaxAge?: Duration;
  /**
   * Longest wait between two attempts after failed fetches. Retries start about 1 s after a
   * failure and double with each further failure (with jitter) up to this while older keys still
   * serve, and up to 2 s (or this, if shorter) while no key can be served, so a key server that
   * comes back is used within about 2 s. `0` retries at every request. Default `'30s'`.
   */
  readonly cooldown?: Duration;
  /**
   * Least time from the start of one fetch to a refetch caused by a token whose `kid` is not in
   * the cached set (the issuer may have just rotated). A newly published key is picked up by the
   * first token that uses it, or, right after another fetch, within this long. Default `'1s'`.
   */
  readonly unknownKidInterval?: Duration;
  /**
   * Most refetches caused by unknown `kid`s in any 60 seconds, so that a flood of random `kid`s
   * costs the key server at most this many requests a minute (on top of the regular refreshes
   * and the retries after failures). `0` never refetches for an unknown `kid`. Default `10`.
   */
  readonly unknownKidFetchesPerMinute?: number;
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
   * `cacheMaxAge` (after a failure: when its back-off ends), so that no request waits for a fetch
   * even at start-up or after a quiet period. The timer never keeps the process alive; `verifier.close()` stops it.
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
