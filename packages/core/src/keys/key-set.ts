import type { KeyEntry } from './key-entry.js';

/** A `kid` that names two different keys in one key set: see {@link findAmbiguousKids}. */
export interface AmbiguousKid {
  /** The key id shared by different keys. */
  readonly kid: string;
  /**
   * Positions, in the list given to {@link findAmbiguousKids}, of every entry carrying this `kid`,
   * in ascending order: at least two, holding at least two different keys.
   */
  readonly indexes: readonly number[];
}

/**
 * The `kid`s of one key set that name two different keys, in the order they first appear. An empty
 * list means every `kid` identifies exactly one key.
 *
 * The rule:
 * - Two entries are the same key when their key material is equal (`KeyObject.equals`: same key
 *   type, same parameters, same public value, or the same bytes for a secret), whatever their
 *   `alg`, `use` or `key_ops`. Identity follows the key, as the JWK thumbprint does (RFC 7638
 *   §3.2 leaves `alg`, `use` and `key_ops` out); unlike a thumbprint of the JSON members, the
 *   comparison is on the imported key, so a modulus with a redundant leading zero is still the
 *   same key.
 * - So one RSA key published twice under one `kid`, once with `alg: RS256` and once with
 *   `alg: PS256`, is **not** ambiguous: whichever entry verifies a token, the signer is the one
 *   holder of that private key, and each entry stays bound to its own `alg`, so no algorithm is
 *   allowed that the publisher did not list. The same key listed twice verbatim is not ambiguous
 *   either.
 * - Different keys under one `kid` are ambiguous, whatever their algorithms, even of different
 *   key types (which RFC 7517 §4.5 would tolerate as "equivalent alternatives"): Project
 *   Wycheproof's JSON Web Key vectors (`jws_duplicate_kid`, flags `DuplicateKid` and `Ambiguous`)
 *   expect such a key set to be rejected, since which key a `kid` means is then decided by the
 *   publisher's mistake or an attacker's insertion.
 * - Entries without a `kid` are never ambiguous: a token without `kid` already tries each key of
 *   its algorithm. The empty string is a `kid` like any other.
 * - Only the entries given are compared, so a key the caller has set aside (an encryption key, a
 *   weak key, a key outside the issuer's algorithms) never makes a set ambiguous: it can verify
 *   nothing, so a `kid` it shares still selects one key.
 *
 * Pure and synchronous; compares each entry with the distinct keys already seen under its `kid`.
 *
 * @param entries the usable entries of one key set, as built by `createKeyEntry`
 * @returns the ambiguous `kid`s with the positions of their entries; empty when there are none
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from 'node:crypto';
 *
 * const a = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
 * const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
 * findAmbiguousKids([{ kid: 'k1', key: a }, { kid: 'k1', key: a }]); // []
 * const [found] = findAmbiguousKids([{ kid: 'k1', key: a }, { kid: 'k2', key: b }, { kid: 'k1', key: b }]);
 * // found: { kid: 'k1', indexes: [0, 2] }
 * duplicateKidReason(found); // 'duplicate kid "k1" names two different keys'
 * ```
 */
export function findAmbiguousKids(entries: readonly Pick<KeyEntry, 'kid' | 'key'>[]): AmbiguousKid[] {
  const byKid = new Map<string, { keys: KeyEntry['key'][]; indexes: number[] }>();
  for (const [index, { kid, key }] of entries.entries()) {
    if (kid === undefined) continue;
    const seen = byKid.get(kid);
    if (seen === undefined) {
      byKid.set(kid, { keys: [key], indexes: [index] });
      continue;
    }
    seen.indexes.push(index);
    if (!seen.keys.some((known) => known.equals(key))) seen.keys.push(key);
  }
  const found: AmbiguousKid[] = [];
  for (const [kid, { keys, indexes }] of byKid) if (keys.length > 1) found.push({ kid, indexes });
  return found;
}

/** Longest part of a `kid` quoted in a reason: a reason is logged, a `kid` is anyone's string. */
const MAX_QUOTED_KID = 64;

/**
 * Why a key set is refused, safe to log and to show: `duplicate kid "k1" names two different keys`.
 * The `kid` is JSON-quoted (control characters escaped) and cut to 64 characters; no key
 * material is ever part of it.
 *
 * @example
 * ```ts
 * duplicateKidReason({ kid: 'k1' }); // 'duplicate kid "k1" names two different keys'
 * ```
 */
export function duplicateKidReason(found: Pick<AmbiguousKid, 'kid'>): string {
  const kid = found.kid.length > MAX_QUOTED_KID ? `${found.kid.slice(0, MAX_QUOTED_KID)}…` : found.kid;
  return `duplicate kid ${JSON.stringify(kid)} names two different keys`;
}
