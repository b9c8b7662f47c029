import { randomUUID, type webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { assertOptionKeys, optionNames } from './option-keys.js';

type CryptoKey = webcrypto.CryptoKey;

/** Asymmetric algorithms the test kit generates keys for. */
export type TestAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'RS256' | 'PS256';

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  keys: JWK[];
}

/** A generated signing key pair and its public JWK. */
export interface TestKey {
  /** Key id, written to the `kid` header of every token this key signs. */
  readonly kid: string;
  /** JWS algorithm of the key. */
  readonly alg: TestAlgorithm;
  /** Private key, for signing. */
  readonly privateKey: CryptoKey;
  /** Public key, for verifying. */
  readonly publicKey: CryptoKey;
  /** Public JWK with `kid`, `alg` and `use: "sig"`. */
  readonly publicJwk: JWK;
}

/** Options of {@link generateTestKey}. */
export interface GenerateTestKeyOptions {
  /** Algorithm. Default `'ES256'`. */
  readonly alg?: TestAlgorithm;
  /** Key id. Default: a random UUID. */
  readonly kid?: string;
}

/**
 * Generates an extractable key pair for tests.
 *
 * @example
 * ```ts
 * const key = await generateTestKey({ alg: 'EdDSA' });
 * const jwks = toJwks([key]);
 * ```
 */
export async function generateTestKey(options: GenerateTestKeyOptions = {}): Promise<TestKey> {
  assertOptionKeys('generateTestKey', options, optionNames<GenerateTestKeyOptions>({ alg: true, kid: true }));
  const alg = options.alg ?? 'ES256';
  const kid = options.kid ?? randomUUID();
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

/**
 * The public JWKS of some keys, ready to serve or to hand to a verifier.
 *
 * @example
 * ```ts
 * const jwks = toJwks([await generateTestKey()]);
 * ```
 */
export function toJwks(keys: readonly TestKey[]): JsonWebKeySet {
  return { keys: keys.map((key) => ({ ...key.publicJwk })) };
}
