import { createHash, createPublicKey, KeyObject, randomUUID, type webcrypto } from 'node:crypto';
import { optionKeys } from '@org/auth-core/adapter';
import { type JWK, SignJWT } from 'jose';
import { AuthClientError, AuthConfigError } from '../errors.js';
import type { AsymmetricAlgorithm, SigningKey } from '../keys/signing-key.js';
import { checkOptions } from '../lib/options.js';

/**
 * The private key a client proves possession of: a {@link SigningKey} (from `generateSigningKey`
 * or `importSigningKey`), a private `KeyObject`, or a private `CryptoKey`.
 */
export type DpopKey = SigningKey | KeyObject | webcrypto.CryptoKey;

/** Options of {@link createDpopProof}. */
export interface DpopProofOptions {
  /** The client's DPoP private key; its public half goes into the proof's `jwk` header. */
  readonly key: DpopKey;
  /** The HTTP method of the request (`htm`). `get`, `post`, ... are upper-cased as `fetch` does. */
  readonly method: string;
  /** The request URL; `htu` is it without query and fragment. */
  readonly url: string | URL;
  /** The access token sent with the proof; its hash becomes `ath`. Default: none. */
  readonly accessToken?: string;
  /** The server's last `DPoP-Nonce`. Default: none. */
  readonly nonce?: string;
  /**
   * Algorithm. Default: the `SigningKey`'s, else from the key type: ES256/ES384/ES512 by curve,
   * EdDSA for Ed25519, RS256 for RSA.
   */
  readonly alg?: AsymmetricAlgorithm;
  /** Clock in milliseconds since the epoch, for `iat`. Default `Date.now`. */
  readonly now?: () => number;
}

const OPTIONS = optionKeys<DpopProofOptions>({
  key: true,
  method: true,
  url: true,
  accessToken: true,
  nonce: true,
  alg: true,
  now: true,
});

/** A DPoP key ready to sign proofs: its algorithm, private key and public JWK. */
export interface PreparedDpopKey {
  readonly alg: AsymmetricAlgorithm;
  readonly privateKey: KeyObject;
  /** The public key's members only (`kty`, `crv`, `x`, `y`, `n`, `e`). */
  readonly publicJwk: JWK;
}

// RFC 9110 §9.1: methods are case-sensitive; fetch upper-cases exactly these (Fetch §2.2.1).
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/**
 * Signs a DPoP proof (RFC 9449 §4.2) for one request: header `typ: dpop+jwt`, `alg` and the
 * public `jwk`; claims `jti` (random), `htm`, `htu`, `iat`, and `ath` and `nonce` when given.
 * Send it as the `DPoP` header, with `Authorization: DPoP <token>`. A proof is good for one
 * request only: make a new one each time.
 *
 * @throws {AuthConfigError} for unknown options, or when the key is not a usable private key
 * @example
 * ```ts
 * const key = await generateSigningKey({ alg: 'ES256' });
 * const proof = await createDpopProof({ key, method: 'POST', url: 'https://payments.internal/charges', accessToken });
 * await fetch('https://payments.internal/charges', {
 *   method: 'POST',
 *   headers: { authorization: `DPoP ${accessToken}`, dpop: proof },
 * });
 * ```
 */
export async function createDpopProof(options: DpopProofOptions): Promise<string> {
  checkOptions(undefined, options, OPTIONS);
  return signDpopProof(prepareDpopKey(options.key, options.alg), options);
}

/**
 * Checks a DPoP key once and derives what every proof needs.
 * @throws {AuthConfigError} when the key is not a usable asymmetric private key
 */
export function prepareDpopKey(key: DpopKey, alg?: AsymmetricAlgorithm): PreparedDpopKey {
  let privateKey: KeyObject;
  let keyAlg: string | undefined;
  if (key instanceof KeyObject) {
    privateKey = key;
  } else if (
    typeof key === 'object' &&
    key !== null &&
    'privateKey' in key &&
    key.privateKey instanceof KeyObject
  ) {
    privateKey = key.privateKey;
    keyAlg = key.alg;
  } else {
    try {
      privateKey = KeyObject.from(key as webcrypto.CryptoKey);
    } catch {
      throw new AuthConfigError(
        'dpop.key',
        'expected a SigningKey, a private KeyObject or a private CryptoKey',
      );
    }
  }
  if (privateKey.type !== 'private') {
    throw new AuthConfigError('dpop.key', `expected a private key, got a ${privateKey.type} key`);
  }
  const chosen = alg ?? keyAlg ?? naturalAlgorithm(privateKey);
  if (chosen === undefined || chosen === 'HS256' || !fits(chosen as AsymmetricAlgorithm, privateKey)) {
    throw new AuthConfigError(
      'dpop.key',
      `the key (${privateKey.asymmetricKeyType}) cannot sign DPoP proofs with ${chosen ?? 'a supported algorithm'}; use an EC, Ed25519 or RSA private key`,
    );
  }
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const publicJwk: Record<string, unknown> = {};
  for (const name of PUBLIC_MEMBERS) if (exported[name] !== undefined) publicJwk[name] = exported[name];
  return { alg: chosen as AsymmetricAlgorithm, privateKey, publicJwk: publicJwk as JWK };
}

/** Signs one proof with a prepared key. */
export async function signDpopProof(
  key: PreparedDpopKey,
  options: Omit<DpopProofOptions, 'key' | 'alg'>,
): Promise<string> {
  const url = new URL(options.url);
  const upper = options.method.toUpperCase();
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: NORMALIZED_METHODS.has(upper) ? upper : options.method,
    htu: `${url.origin}${url.pathname}`,
    iat: Math.floor((options.now ?? Date.now)() / 1000),
  };
  if (options.accessToken !== undefined) {
    claims.ath = createHash('sha256').update(options.accessToken, 'ascii').digest('base64url');
  }
  if (options.nonce !== undefined) claims.nonce = options.nonce;
  try {
    return await new SignJWT(claims)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk })
      .sign(key.privateKey);
  } catch (cause) {
    throw new AuthClientError('signing_failed', 'could not sign the DPoP proof', { cause });
  }
}

function naturalAlgorithm(key: KeyObject): AsymmetricAlgorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return (
        { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' } as const satisfies Record<
          string,
          AsymmetricAlgorithm
        >
      )[key.asymmetricKeyDetails?.namedCurve as 'prime256v1'];
    case 'ed25519':
      return 'EdDSA';
    case 'rsa':
      return 'RS256';
    default:
      return undefined;
  }
}

function fits(alg: AsymmetricAlgorithm, key: KeyObject): boolean {
  const natural = naturalAlgorithm(key);
  return natural === 'RS256' ? alg === 'RS256' || alg === 'PS256' : natural === alg;
}
