/** JWS algorithms the verifier can be configured with (RFC 7518, RFC 8037, RFC 9864). */
export type Algorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'HS256'
  | 'HS384'
  | 'HS512';

/** The default allow-list: asymmetric algorithms only. */
export const ASYMMETRIC_ALGORITHMS: readonly Algorithm[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** Shared-secret algorithms, allowed only with an explicit `secret` key source. */
export const HMAC_ALGORITHMS: readonly Algorithm[] = Object.freeze(['HS256', 'HS384', 'HS512']);

const ALL = new Set<string>([...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS]);

/** True for a supported algorithm name (exact case: `none`, `None`, `hs256` are not). */
export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && ALL.has(value);
}

/** Minimum secret length in bytes per HMAC algorithm (RFC 7518 §3.2: at least the hash size). */
export const HMAC_MIN_SECRET_BYTES: Readonly<Record<string, number>> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

/** Smallest RSA modulus accepted, in bits (RFC 7518 §3.3, NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;
