import { AuthError } from '../errors.js';
import type { TokenHeader } from '../token/decode-token.js';
import type { KeyEntry } from './key-entry.js';
import type { KeySource } from './key-source.js';
import { verifyJwsSignature, verifyJwsSignatureOffloaded } from './node-signature.js';
import { type SignatureScheduler, SYNCHRONOUS_SIGNATURES } from './signature-verification.js';

/** What {@link verifyWithKeys} needs of an issuer: its algorithm allow-list and its keys. */
export interface SigningKeys {
  readonly algorithms: ReadonlySet<string>;
  readonly keys: KeySource;
}

/**
 * The algorithm/key binding and the signature check, run after structural decoding by both the
 * verifier and `verifyCompactJws`: `alg` must be on the allow-list, a key must match `kid` and
 * `alg` (a key only ever verifies the algorithms of its own type), and the signature must verify,
 * on the event loop or on the thread pool as `signatures` says (the same answer either way).
 *
 * @returns the key that verified the token
 * @throws {AuthError} `unsupported_algorithm`, `unknown_key`, `keys_unavailable`, `invalid_signature`, ...
 */
export async function verifyWithKeys(
  token: string,
  header: TokenHeader,
  source: SigningKeys,
  signatures: SignatureScheduler = SYNCHRONOUS_SIGNATURES,
): Promise<KeyEntry> {
  if (!source.algorithms.has(header.alg)) throw new AuthError('unsupported_algorithm');
  // Awaited even when the keys are at hand (static keys): concurrent calls then all count as in
  // flight before the first signature is checked, which is how overlap is seen at all.
  const keys = await source.keys.getKeys(header);
  if (signatures.place(header.alg)) return verifySignatureOffloaded(token, header.alg, keys);
  return verifySignature(token, header.alg, keys);
}

/**
 * Verifies a compact JWS signature with one of `keys`, synchronously through node:crypto (see
 * `verifyJwsSignature`, whose results are tested against jose's on the same inputs). The token's
 * structure, `b64` and `crit` were checked by `decodeJws`; each key is bound to its algorithms.
 *
 * @returns the key that verified the token
 * @throws {AuthError} `invalid_signature`
 */
export function verifySignature(token: string, alg: string, keys: readonly KeyEntry[]): KeyEntry {
  const dot = token.lastIndexOf('.');
  const signingInput = token.slice(0, dot);
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  // Several candidates only when the token names no key id; each is tried once.
  for (const entry of keys) {
    if (entry.algorithms.has(alg) && verifyJwsSignature(alg, entry.key, signingInput, signature))
      return entry;
  }
  throw new AuthError('invalid_signature');
}

/**
 * {@link verifySignature} with each public-key check on libuv's thread pool: the same keys tried
 * in the same order with the same parameters (see `verifyJwsSignatureOffloaded`).
 *
 * @returns the key that verified the token
 * @throws {AuthError} `invalid_signature`
 */
export async function verifySignatureOffloaded(
  token: string,
  alg: string,
  keys: readonly KeyEntry[],
): Promise<KeyEntry> {
  const dot = token.lastIndexOf('.');
  const signingInput = token.slice(0, dot);
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  for (const entry of keys) {
    if (!entry.algorithms.has(alg)) continue;
    const valid = verifyJwsSignatureOffloaded(alg, entry.key, signingInput, signature);
    if (valid === true || (valid !== false && (await valid))) return entry;
  }
  throw new AuthError('invalid_signature');
}
