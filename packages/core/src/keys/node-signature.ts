import {
  constants,
  createHmac,
  type KeyObject,
  timingSafeEqual,
  type VerifyKeyObjectInput,
  type VerifyPublicKeyInput,
  verify,
} from 'node:crypto';

/** How node:crypto checks one JWS algorithm (RFC 7518 §3, RFC 8037). */
interface NodeAlgorithm {
  /** Digest, or null for EdDSA (the algorithm hashes internally). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  readonly kind: 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa' | 'hmac';
  /** ECDSA: the exact length of the JWS signature, R || S (RFC 7518 §3.4). */
  readonly signatureLength?: number;
}

const ALGORITHMS: Readonly<Record<string, NodeAlgorithm>> = {
  RS256: { hash: 'sha256', kind: 'rsa' },
  RS384: { hash: 'sha384', kind: 'rsa' },
  RS512: { hash: 'sha512', kind: 'rsa' },
  PS256: { hash: 'sha256', kind: 'rsa-pss' },
  PS384: { hash: 'sha384', kind: 'rsa-pss' },
  PS512: { hash: 'sha512', kind: 'rsa-pss' },
  ES256: { hash: 'sha256', kind: 'ecdsa', signatureLength: 64 },
  ES384: { hash: 'sha384', kind: 'ecdsa', signatureLength: 96 },
  ES512: { hash: 'sha512', kind: 'ecdsa', signatureLength: 132 },
  EdDSA: { hash: null, kind: 'eddsa' },
  Ed25519: { hash: null, kind: 'eddsa' },
  HS256: { hash: 'sha256', kind: 'hmac' },
  HS384: { hash: 'sha384', kind: 'hmac' },
  HS512: { hash: 'sha512', kind: 'hmac' },
};

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

/** True for the HMAC algorithms, which are always checked on the event loop: cheaper than the hop. */
export function isHmacAlgorithm(alg: string): boolean {
  return ALGORITHMS[alg]?.kind === 'hmac';
}

/**
 * Checks a JWS signature with node:crypto, synchronously: the floor of what a signature check
 * costs. The key has already been bound to `alg` (its type allows it, see `algorithmsForKey`);
 * this function only computes. Its results are tested against jose's on the same inputs.
 *
 * - RSASSA-PKCS1-v1_5 and RSASSA-PSS with a salt as long as the hash (RFC 7518 §3.5), never
 *   "any salt length".
 * - ECDSA signatures must be R || S of the curve's exact size; DER-encoded signatures are refused.
 * - HMAC is compared in constant time.
 *
 * @returns true when the signature is valid; false for every other input, never throws
 */
export function verifyJwsSignature(
  alg: string,
  key: KeyObject,
  signingInput: string,
  signature: Buffer,
): boolean {
  const check = prepare(alg, key, signingInput, signature);
  if (typeof check === 'boolean') return check;
  try {
    return verify(check.hash, check.data, check.key, signature);
  } catch {
    // A malformed signature for this key type (wrong length, bad encoding) is simply invalid.
    return false;
  }
}

/**
 * {@link verifyJwsSignature} with the public-key computation on libuv's thread pool (the callback
 * form of `crypto.verify`), so that it can run on another core while the event loop goes on. The
 * same inputs are checked with the same parameters, and give the same answer; HMAC, which costs
 * less than the hop to the pool, and inputs refused before any computation answer at once.
 *
 * @returns true when the signature is valid; false for every other input, never rejects
 */
export function verifyJwsSignatureOffloaded(
  alg: string,
  key: KeyObject,
  signingInput: string,
  signature: Buffer,
): boolean | Promise<boolean> {
  const check = prepare(alg, key, signingInput, signature);
  if (typeof check === 'boolean') return check;
  return new Promise((resolve) => {
    try {
      verify(check.hash, check.data, check.key, signature, (error, valid) => resolve(!error && valid));
    } catch {
      resolve(false);
    }
  });
}

/** One asymmetric check, ready for `crypto.verify`. */
interface PreparedCheck {
  readonly hash: string | null;
  readonly data: Buffer;
  readonly key: KeyObject | VerifyKeyObjectInput | VerifyPublicKeyInput;
}

/** The parameters of `crypto.verify` for `alg`, or the answer when no public-key work is needed. */
function prepare(
  alg: string,
  key: KeyObject,
  signingInput: string,
  signature: Buffer,
): PreparedCheck | boolean {
  const algorithm = ALGORITHMS[alg];
  if (algorithm === undefined) return false;
  const data = Buffer.from(signingInput, 'latin1');
  switch (algorithm.kind) {
    case 'hmac':
      try {
        const expected = createHmac(algorithm.hash as string, key)
          .update(data)
          .digest();
        return expected.length === signature.length && timingSafeEqual(expected, signature);
      } catch {
        return false;
      }
    case 'ecdsa':
      if (signature.length !== algorithm.signatureLength) return false;
      return { hash: algorithm.hash, data, key: { key, dsaEncoding: 'ieee-p1363' } };
    case 'rsa':
      return { hash: algorithm.hash, data, key: { key, padding: constants.RSA_PKCS1_PADDING } };
    case 'rsa-pss':
      return {
        hash: algorithm.hash,
        data,
        key: {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: HASH_BYTES[algorithm.hash as keyof typeof HASH_BYTES],
        },
      };
    case 'eddsa':
      return { hash: null, data, key };
  }
}
