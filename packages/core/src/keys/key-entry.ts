import { createPublicKey, createSecretKey, KeyObject, type webcrypto } from 'node:crypto';

import { isAlgorithm, MIN_RSA_BITS } from './algorithms.js';

type CryptoKey = webcrypto.CryptoKey;

/**
 * One verification key, imported once. Its `algorithms` are the JWS algorithms it may verify:
 * those its type allows, narrowed by the JWK's own `alg` and by the issuer's allow-list, so a
 * key can never be used with an algorithm of another family (no algorithm confusion).
 */
export interface KeyEntry {
  readonly kid: string | undefined;
  readonly key: KeyObject;
  readonly algorithms: ReadonlySet<string>;
  /** False once the key has left its key set; verified-token cache entries for it are dropped. */
  current: boolean;
}

/** The algorithms a key's type supports. */
export function algorithmsForKey(key: KeyObject): string[] {
  if (key.type === 'secret') return ['HS256', 'HS384', 'HS512'];
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'ec':
      switch (details?.namedCurve) {
        case 'prime256v1':
          return ['ES256'];
        case 'secp384r1':
          return ['ES384'];
        case 'secp521r1':
          return ['ES512'];
        default:
          return [];
      }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    case 'ed448':
      return ['EdDSA'];
    default:
      return [];
  }
}

/** Why a key cannot be used, or undefined when it is acceptable. */
export function keyWeakness(key: KeyObject): string | undefined {
  // jose cannot use id-RSASSA-PSS keys (no JWK form): every token would fail. A plain RSA key
  // verifies PS256 too.
  if (key.asymmetricKeyType === 'rsa-pss') {
    return 'RSA-PSS (id-RSASSA-PSS) keys are not supported; give the key as a plain RSA key, which verifies PS256 too';
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return `RSA keys must have at least ${MIN_RSA_BITS} bits, got ${bits}`;
  }
  return undefined;
}

/** Raw material accepted as one key. */
export type KeyMaterial = KeyObject | CryptoKey | string | Readonly<Record<string, unknown>>;

/**
 * Imports a PEM string (SPKI or certificate), a JWK object, a `KeyObject` or a `CryptoKey` as a
 * public `KeyObject`. Private key material is refused in every form: a verifier never needs it,
 * and finding it in a verifier's configuration means a private key was shared by mistake.
 */
export function importPublicKey(material: KeyMaterial): KeyObject {
  if (isCryptoKey(material)) return importPublicKey(KeyObject.from(material));
  if (isKeyObject(material)) {
    if (material.type === 'private') throw new TypeError(PRIVATE_MATERIAL);
    if (material.type !== 'public') throw new TypeError('symmetric keys are only accepted as a secret');
    return material;
  }
  if (typeof material === 'string') {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(material)) throw new TypeError(PRIVATE_MATERIAL);
    return createPublicKey(material);
  }
  const jwk = material as Record<string, unknown>;
  if (jwk.kty === 'oct') throw new TypeError('symmetric keys are only accepted as a secret');
  if ('d' in jwk) throw new TypeError(PRIVATE_MATERIAL);
  return createPublicKey({ key: publicMembers(jwk) as never, format: 'jwk' });
}

const PRIVATE_MATERIAL =
  'private key material was given where a public key is expected; configure only the public key';

/** Imports a shared secret. */
export function importSecret(secret: KeyObject | string | Uint8Array): KeyObject {
  if (isKeyObject(secret)) return secret;
  return createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
}

/** Builds a key entry, or returns why the key cannot be used. */
export function createKeyEntry(
  key: KeyObject,
  options: { kid?: string | undefined; alg?: unknown; use?: unknown; allowed: ReadonlySet<string> },
): KeyEntry | string {
  if (options.use !== undefined && options.use !== 'sig') return 'the key is not a signing key (use)';
  if (options.alg !== undefined && !isAlgorithm(options.alg)) return 'the key has an unsupported alg';
  const weakness = key.type === 'secret' ? undefined : keyWeakness(key);
  if (weakness) return weakness;
  const algorithms = new Set(
    algorithmsForKey(key).filter(
      (alg) => options.allowed.has(alg) && (options.alg === undefined || options.alg === alg),
    ),
  );
  if (algorithms.size === 0) return 'the key fits none of the allowed algorithms';
  return { kid: options.kid, key, algorithms, current: true };
}

// Keep only the members that define a public key, so that an identical key with other
// metadata is recognised as the same key across JWKS refreshes.
const PUBLIC_MEMBERS = ['kty', 'crv', 'n', 'e', 'x', 'y'] as const;

function publicMembers(jwk: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of PUBLIC_MEMBERS) if (jwk[name] !== undefined) out[name] = jwk[name];
  return out;
}

/** A stable identity of a JWK: kid, alg and public members. */
export function jwkFingerprint(jwk: Record<string, unknown>): string {
  return JSON.stringify([jwk.kid, jwk.alg, jwk.use, ...PUBLIC_MEMBERS.map((name) => jwk[name])]);
}

function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  const WebCryptoKey = (globalThis as { CryptoKey?: abstract new () => CryptoKey }).CryptoKey;
  return WebCryptoKey !== undefined && value instanceof WebCryptoKey;
}
