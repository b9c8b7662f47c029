import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { AuthConfigError } from '../errors.js';
import { ASYMMETRIC_ALGORITHMS } from '../keys/algorithms.js';
import type { Duration } from '../lib/duration.js';
import { describe, toSeconds } from '../lib/duration.js';
import { assertKnownKeys, optionKeys } from '../lib/option-checks.js';
import { MemoryNonceStore } from '../replay/memory-nonce-store.js';
import type { NonceStore } from '../replay/nonce-store.js';
import type { RequestLike } from '../token/request.js';
import { DpopNonces } from './dpop-nonces.js';
import { DpopPolicy } from './dpop-policy.js';
import { normalizeHttpUrl } from './request-url.js';

/** Asymmetric JWS algorithms a DPoP proof may be signed with. */
export type DpopAlgorithm =
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512';

/** The proof algorithms accepted by default: ES256, EdDSA, RS256 and PS256. */
export const DEFAULT_DPOP_ALGORITHMS: readonly DpopAlgorithm[] = Object.freeze([
  'ES256',
  'EdDSA',
  'RS256',
  'PS256',
]);

/**
 * The origin (`scheme://host[:port]`) the service is reached at, against which a proof's `htu` is
 * compared: one origin, several (any of them matches), or a function of the request returning one.
 */
export type DpopOrigin = string | readonly string[] | ((request: RequestLike) => string);

/** Server-issued DPoP nonces (RFC 9449 §8). */
export interface DpopNonceOptions {
  /**
   * HMAC key the nonces are derived from: at least 32 bytes (string, bytes or a secret
   * `KeyObject`). Give every replica the same secret so that each accepts the others' nonces.
   * Default: 32 random bytes per verifier (right for a single process only).
   */
  readonly secret?: string | Uint8Array | KeyObject;
  /**
   * How long one nonce is handed out. A nonce is accepted during its period and the next, so it
   * works for one to two lifetimes. Default `'5m'`.
   */
  readonly lifetime?: Duration;
}

/**
 * DPoP sender-constrained tokens (RFC 9449) for `createVerifier({ dpop })`.
 *
 * With it, `authenticate()` accepts `Authorization: DPoP <token>` with a `DPoP` proof header. A
 * token with `cnf.jkt` is accepted only that way, with a proof signed by the key it names; a
 * token without `cnf.jkt` is refused with the DPoP scheme. Without `dpop`, a token with `cnf.jkt`
 * is always refused: a bound token is never accepted as a bearer token.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   issuers: [{ issuer: 'https://auth.internal', jwksUri: 'https://auth.internal/jwks' }],
 *   audience: 'payments',
 *   dpop: { origin: 'https://payments.internal', required: true, nonce: true },
 * });
 * ```
 */
export interface DpopOptions {
  /**
   * Refuse every token that is not DPoP-bound, Bearer presentations included. Default `false`:
   * bearer tokens without `cnf.jkt` keep working next to DPoP-bound ones.
   */
  readonly required?: boolean;
  /**
   * Algorithms a proof may be signed with (asymmetric only; `none` and HS* never).
   * Default {@link DEFAULT_DPOP_ALGORITHMS}: `['ES256', 'EdDSA', 'RS256', 'PS256']`.
   */
  readonly algorithms?: readonly DpopAlgorithm[];
  /**
   * The origin the proof's `htu` must name (scheme, host and port; the path is the request's).
   * Default: `https` on a TLS connection (else `http`) plus the request's `Host` header. **The
   * client chooses the Host header**, so with the default a proof made for another service that
   * trusts the same tokens can be replayed here by a client that sets `Host` to match; set the
   * origin(s) your clients really call, and always behind a TLS-terminating proxy (where the
   * connection is plain http). A function receives the request and returns one origin.
   */
  readonly origin?: DpopOrigin;
  /** Oldest accepted proof, by its `iat`, plus `clockTolerance`. Default `'60s'`. */
  readonly maxProofAge?: Duration;
  /** How far a proof's `iat` may lie in the future, plus `clockTolerance`. Default `'5s'`. */
  readonly futureTolerance?: Duration;
  /**
   * Where proof `jti`s are remembered until the end of their `iat` window, to refuse replays.
   * Default: a `MemoryNonceStore` of this verifier (right for one process; replicas behind a load
   * balancer need a shared store). A store that fails answers 503 `replay_check_unavailable`.
   */
  readonly replayStore?: NonceStore;
  /**
   * Require server nonces (RFC 9449 §8): a proof without a current nonce is answered 401
   * `use_dpop_nonce` with a fresh one in `DPoP-Nonce`. `true` uses the defaults. Default: off.
   */
  readonly nonce?: boolean | DpopNonceOptions;
}

const DPOP_OPTIONS = optionKeys<DpopOptions>({
  required: true,
  algorithms: true,
  origin: true,
  maxProofAge: true,
  futureTolerance: true,
  replayStore: true,
  nonce: true,
});
const NONCE_OPTIONS = optionKeys<DpopNonceOptions>({ secret: true, lifetime: true });

/** What compiling `dpop` needs from the rest of the verifier's options. */
export interface DpopContext {
  /** True when `extractToken` replaces the built-in extraction (DPoP cannot work then). */
  readonly customExtraction: boolean;
  /** The verifier's `clockTolerance`, in seconds. */
  readonly clockTolerance: number;
  readonly now: () => number;
}

/**
 * Validates the verifier's `dpop` option and compiles it, or returns undefined when it is unset.
 *
 * @throws {AuthConfigError} naming the option and saying what to change
 */
export function compileDpop(dpop: DpopOptions | undefined, context: DpopContext): DpopPolicy | undefined {
  if (dpop === undefined) return undefined;
  if (typeof dpop !== 'object' || dpop === null || Array.isArray(dpop)) {
    throw new AuthConfigError('dpop', 'expected an object such as { required: true }, or leave it out');
  }
  assertKnownKeys('dpop', dpop, DPOP_OPTIONS);
  if (context.customExtraction) {
    throw new AuthConfigError(
      'dpop',
      'cannot be combined with extractToken: DPoP needs to read the Authorization scheme itself; remove extractToken',
    );
  }
  if (dpop.required !== undefined && typeof dpop.required !== 'boolean') {
    throw new AuthConfigError('dpop.required', 'expected true or false (default false)');
  }
  const store = dpop.replayStore ?? new MemoryNonceStore({ now: context.now });
  if (typeof store?.useOnce !== 'function') {
    throw new AuthConfigError(
      'dpop.replayStore',
      'expected a store with a useOnce(key, expiresAt) method, such as new MemoryNonceStore()',
    );
  }
  return new DpopPolicy({
    required: dpop.required === true,
    algorithms: compileAlgorithms(dpop.algorithms),
    origin: compileOrigin(dpop.origin),
    maxProofAge: toSeconds('dpop.maxProofAge', dpop.maxProofAge ?? 60, { allowZero: false }),
    futureTolerance: toSeconds('dpop.futureTolerance', dpop.futureTolerance ?? 5),
    clockTolerance: context.clockTolerance,
    store,
    nonces: compileNonces(dpop.nonce),
  });
}

function compileAlgorithms(algorithms: readonly unknown[] | undefined): ReadonlySet<string> {
  if (algorithms === undefined) return new Set(DEFAULT_DPOP_ALGORITHMS);
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new AuthConfigError('dpop.algorithms', "expected a non-empty array such as ['ES256', 'EdDSA']");
  }
  for (const [index, alg] of algorithms.entries()) {
    if (typeof alg !== 'string' || !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new AuthConfigError(
        `dpop.algorithms[${index}]`,
        `${describe(alg)} is not accepted for DPoP proofs; choose from ${ASYMMETRIC_ALGORITHMS.join(', ')} (proofs are signed with a private key: never none or HS*)`,
      );
    }
  }
  return new Set(algorithms as string[]);
}

function compileOrigin(
  origin: DpopOrigin | undefined,
): readonly string[] | ((request: RequestLike) => string) | undefined {
  if (origin === undefined || typeof origin === 'function') return origin;
  const list = typeof origin === 'string' ? [origin] : origin;
  if (!Array.isArray(list) || list.length === 0) {
    throw new AuthConfigError(
      'dpop.origin',
      "expected the origin clients call, such as 'https://payments.internal', a list of them, or a function of the request",
    );
  }
  return list.map((value, index) => {
    const at = typeof origin === 'string' ? 'dpop.origin' : `dpop.origin[${index}]`;
    const parsed = typeof value === 'string' ? normalizeHttpUrl(value) : undefined;
    if (parsed === undefined || parsed.path !== '/' || /[?#]/.test(value as string)) {
      throw new AuthConfigError(
        at,
        `expected an origin such as 'https://payments.internal' or 'http://localhost:3000' (scheme, host and port only), got ${describe(value)}`,
      );
    }
    return parsed.origin;
  });
}

function compileNonces(nonce: boolean | DpopNonceOptions | undefined): DpopNonces | undefined {
  if (nonce === undefined || nonce === false) return undefined;
  if (nonce !== true && (typeof nonce !== 'object' || nonce === null)) {
    throw new AuthConfigError('dpop.nonce', "expected true, false or { secret, lifetime: '5m' }");
  }
  const settings: DpopNonceOptions = nonce === true ? {} : nonce;
  assertKnownKeys('dpop.nonce', settings, NONCE_OPTIONS);
  let secret: KeyObject;
  try {
    const given = settings.secret ?? randomBytes(32);
    secret =
      typeof given === 'string'
        ? createSecretKey(Buffer.from(given, 'utf8'))
        : given instanceof Uint8Array
          ? createSecretKey(given)
          : given;
  } catch {
    throw new AuthConfigError('dpop.nonce.secret', 'expected a string, a Uint8Array or a secret KeyObject');
  }
  if (secret?.type !== 'secret' || (secret.symmetricKeySize ?? 0) < 32) {
    throw new AuthConfigError(
      'dpop.nonce.secret',
      'expected a secret of at least 32 bytes; generate one with crypto.randomBytes(32)',
    );
  }
  const lifetime = toSeconds('dpop.nonce.lifetime', settings.lifetime ?? '5m', { allowZero: false });
  if (lifetime < 1) throw new AuthConfigError('dpop.nonce.lifetime', 'must be at least 1 second');
  return new DpopNonces(secret, lifetime);
}
