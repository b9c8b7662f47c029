import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { AuthError, isAuthError } from '../errors.js';
import { algorithmsForKey, keyWeakness } from '../keys/key-entry.js';
import { verifyJwsSignature } from '../keys/node-signature.js';
import { FifoMap } from '../lib/fifo-map.js';
import type { NonceStore } from '../replay/nonce-store.js';
import { decodeToken } from '../token/decode-token.js';
import { headerCount, headerValue, type RequestLike } from '../token/request.js';
import type { DpopNonces } from './dpop-nonces.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import { normalizeHttpUrl } from './request-url.js';

/** The compiled rules a proof is checked against (see `DpopOptions`). All durations in seconds. */
export interface ProofRules {
  readonly algorithms: ReadonlySet<string>;
  readonly maxProofAge: number;
  readonly futureTolerance: number;
  readonly clockTolerance: number;
  readonly store: NonceStore;
  readonly nonces: DpopNonces | undefined;
  readonly keys: ProofKeyCache;
}

/** What the request says a proof must match. */
export interface ProofExpectations {
  /** The HTTP method, compared exactly with `htm`. */
  readonly method: string;
  /** Origins `htu` may name, normalized. */
  readonly origins: readonly string[];
  /** The request path, normalized. */
  readonly path: string;
  /** The access token presented with the proof: `ath` must be its hash. */
  readonly accessToken: string | undefined;
  /** The token's `cnf.jkt`: the proof's key must have this thumbprint. */
  readonly jkt: string | undefined;
  readonly nowMs: number;
}

/** A proof that passed every check. */
export interface VerifiedProof {
  /** RFC 7638 thumbprint of the proof's key. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
}

/** Largest accepted `DPoP` header: an RSA-4096 `jwk` and the claims fit easily. */
const MAX_PROOF_LENGTH = 8192;
/** Longest accepted `jti`: ample for a UUID or 32 random bytes, bounded for the replay store. */
const MAX_JTI_LENGTH = 256;
// RFC 7517 §4 / RFC 7518 §6: members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'];
const DPOP_TYP = /^(?:application\/)?dpop\+jwt$/i;

/**
 * Verifies the request's DPoP proof (RFC 9449 §4.3): exactly one `DPoP` header holding a compact
 * JWS with `typ: dpop+jwt`, an allowed asymmetric `alg`, a public `jwk` header that verifies the
 * signature, `jti`, `htm`, `htu` and `iat` within the window, `ath` when a token is presented,
 * the token's `cnf.jkt`, the server nonce when required, and a `jti` not seen before.
 *
 * @throws {AuthError} `invalid_dpop_proof`, `invalid_claim` (key binding), `use_dpop_nonce`, or
 *   503 `replay_check_unavailable` when the replay store fails
 */
export async function verifyDpopProof(
  request: RequestLike,
  rules: ProofRules,
  expected: ProofExpectations,
): Promise<VerifiedProof> {
  const count = headerCount(request, 'dpop');
  if (count === 0) throw invalid('missing DPoP proof');
  const proof = headerValue(request, 'dpop')?.trim() ?? '';
  // Without the raw header list, Node joins repeated headers with ", ".
  if (count > 1 || proof.includes(',')) throw invalid('exactly one DPoP proof expected');
  if (proof.length > MAX_PROOF_LENGTH) throw invalid('DPoP proof too large');

  let decoded: ReturnType<typeof decodeToken>;
  try {
    decoded = decodeToken(proof);
  } catch (cause) {
    if (!isAuthError(cause)) throw cause;
    throw invalid('malformed DPoP proof', cause);
  }
  const { header, payload } = decoded;
  if (typeof header.typ !== 'string' || !DPOP_TYP.test(header.typ)) {
    throw invalid('DPoP proof must have typ dpop+jwt');
  }
  if (!rules.algorithms.has(header.alg)) throw invalid('DPoP proof algorithm not allowed');
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw invalid('DPoP proof has no jwk header');
  }
  const members = jwk as Readonly<Record<string, unknown>>;
  if (PRIVATE_MEMBERS.some((name) => name in members)) {
    throw invalid('DPoP proof jwk must be a public key');
  }
  let thumbprint: string;
  try {
    thumbprint = jwkThumbprint(members);
  } catch (cause) {
    throw invalid('DPoP proof jwk is not a supported public key', cause);
  }
  const key = rules.keys.get(thumbprint, members);
  if (
    !algorithmsForKey(key).includes(header.alg) ||
    (members.alg !== undefined && members.alg !== header.alg)
  ) {
    throw invalid('DPoP proof jwk does not fit its algorithm');
  }
  const dot = proof.lastIndexOf('.');
  const signature = Buffer.from(proof.slice(dot + 1), 'base64url');
  if (!verifyJwsSignature(header.alg, key, proof.slice(0, dot), signature)) {
    throw invalid('invalid DPoP proof signature');
  }

  // The claims are authentic from here on (RFC 9449 §4.3 steps 9 to 12).
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    throw invalid('DPoP proof has no valid jti');
  }
  if (htm !== expected.method) throw invalid('DPoP proof htm does not match the request method');
  const target = typeof htu === 'string' ? normalizeHttpUrl(htu) : undefined;
  if (target === undefined || target.path !== expected.path || !expected.origins.includes(target.origin)) {
    throw invalid('DPoP proof htu does not match the request URL');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('DPoP proof has no valid iat');
  const now = expected.nowMs / 1000;
  const expiresAt = iat + rules.maxProofAge + rules.clockTolerance;
  if (now > expiresAt) throw invalid('DPoP proof too old');
  if (iat > now + rules.futureTolerance + rules.clockTolerance) {
    throw invalid('DPoP proof issued in the future');
  }
  if (expected.accessToken !== undefined) {
    if (typeof payload.ath !== 'string') throw invalid('DPoP proof has no ath');
    if (payload.ath !== accessTokenHash(expected.accessToken)) {
      throw invalid('DPoP proof ath does not match the access token');
    }
  }
  if (expected.jkt !== undefined && expected.jkt !== thumbprint) {
    // RFC 9449 §7.1's own example: the token is fine, but bound to another key.
    throw new AuthError('invalid_claim', {
      claim: 'cnf',
      description: 'invalid DPoP key binding',
      scheme: 'DPoP',
    });
  }
  // Last but one, so that `use_dpop_nonce` means "all else is right: add the nonce and retry".
  const nonces = rules.nonces;
  if (nonces !== undefined) {
    const { nonce } = payload;
    if (typeof nonce !== 'string' || !nonces.accepts(nonce, expected.nowMs)) {
      throw new AuthError('use_dpop_nonce', {
        ...(nonce === undefined ? {} : { description: 'DPoP nonce expired or unknown' }),
        extraHeaders: { 'DPoP-Nonce': nonces.current(expected.nowMs) },
      });
    }
  }
  // Namespaced by key: one client cannot burn another's jti, and stores may be shared.
  let fresh: boolean;
  try {
    fresh = await rules.store.useOnce(`dpop:${thumbprint}:${jti}`, expiresAt);
  } catch (cause) {
    throw new AuthError('replay_check_unavailable', { cause, retryAfter: 5 });
  }
  if (!fresh) throw invalid('DPoP proof already used');
  return { jkt: thumbprint, jti, iat };
}

/** `ath` of an access token: base64url(SHA-256(token)) (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * Public keys of recent proofs by thumbprint, so that a client's key is imported and checked for
 * weakness once, not on every request. Bounded; the oldest entry goes first.
 */
export class ProofKeyCache {
  readonly #keys = new FifoMap<string, KeyObject>();
  readonly #maxEntries: number;

  constructor(maxEntries = 1000) {
    this.#maxEntries = maxEntries;
  }

  /**
   * The key with this thumbprint, imported from `jwk` when not cached.
   * @throws {AuthError} `invalid_dpop_proof` for a key that cannot be imported or is weak
   */
  get(thumbprint: string, jwk: Readonly<Record<string, unknown>>): KeyObject {
    const known = this.#keys.get(thumbprint);
    if (known !== undefined) return known;
    let key: KeyObject;
    try {
      // Only the members the thumbprint covers: the key is exactly the one it names.
      const members: Record<string, unknown> = {};
      for (const name of PUBLIC_MEMBERS) if (jwk[name] !== undefined) members[name] = jwk[name];
      key = createPublicKey({ key: members as never, format: 'jwk' });
    } catch (cause) {
      throw invalid('DPoP proof jwk is not a supported public key', cause);
    }
    const weakness = keyWeakness(key);
    if (weakness !== undefined) throw invalid('DPoP proof jwk is too weak');
    this.#keys.set(thumbprint, key);
    if (this.#keys.size > this.#maxEntries) this.#keys.deleteOldest();
    return key;
  }
}

function invalid(description: string, cause?: unknown): AuthError {
  return new AuthError('invalid_dpop_proof', cause === undefined ? { description } : { description, cause });
}
