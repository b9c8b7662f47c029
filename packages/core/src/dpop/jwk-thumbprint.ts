import { createHash, createPublicKey, KeyObject } from 'node:crypto';

/** A JSON Web Key as an object (RFC 7517); only the members that define the public key are read. */
export type JwkLike = Readonly<Record<string, unknown>>;

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The RFC 7638 JWK SHA-256 thumbprint of a public key, base64url-encoded: the value of a token's
 * `cnf.jkt` claim for DPoP (RFC 9449 §6.1). EC, OKP (Ed25519, Ed448) and RSA keys are supported.
 * Given a private JWK or a private `KeyObject`, the thumbprint is that of its public key (only the
 * required public members enter the hash).
 *
 * @example
 * ```ts
 * import { jwkThumbprint } from '@org/auth-core';
 *
 * const jkt = jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' (RFC 8037 Appendix A.3)
 * ```
 *
 * @throws {TypeError} for a symmetric key, an unsupported key type or a member that is not a string
 */
export function jwkThumbprint(key: JwkLike | KeyObject): string {
  const jwk: JwkLike = key instanceof KeyObject ? exportJwk(key) : key;
  if (typeof jwk !== 'object' || jwk === null) throw new TypeError('expected a JWK object or a KeyObject');
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? REQUIRED_MEMBERS[kty] : undefined;
  if (members === undefined) {
    throw new TypeError(`unsupported key type ${JSON.stringify(kty)}: expected EC, OKP or RSA`);
  }
  // RFC 7638 §3.3: members in lexicographic order, no whitespace; every value here is a string
  // of base64url or ASCII characters, so JSON.stringify writes each exactly as the RFC wants.
  const parts: string[] = [];
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`the ${kty} key has no valid "${name}" member`);
    }
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return createHash('sha256')
    .update(`{${parts.join(',')}}`)
    .digest('base64url');
}

function exportJwk(key: KeyObject): JwkLike {
  if (key.type === 'secret') throw new TypeError('symmetric keys have no public thumbprint');
  // The public half only: a private key's JWK export would carry its private members.
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ format: 'jwk' }) as JwkLike;
}
