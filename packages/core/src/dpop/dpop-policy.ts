import { AuthError, challenge } from '../errors.js';
import type { NonceStore } from '../replay/nonce-store.js';
import type { RequestLike } from '../token/request.js';
import type { DpopNonces } from './dpop-nonces.js';
import { requestOrigin, requestPath } from './request-url.js';
import { ProofKeyCache, verifyDpopProof } from './verify-dpop-proof.js';

/**
 * How a token reached the verifier: `Authorization: Bearer` (or the query string, or
 * `verifier.verify()`), `Authorization: DPoP`, or a forwarded user-token header.
 */
export type TokenPresentation = 'Bearer' | 'DPoP' | 'forwarded';

/** What {@link DpopPolicy} is built from: the validated `dpop` option. Durations in seconds. */
export interface DpopPolicySettings {
  readonly required: boolean;
  readonly algorithms: ReadonlySet<string>;
  readonly origin: readonly string[] | ((request: RequestLike) => string) | undefined;
  readonly maxProofAge: number;
  readonly futureTolerance: number;
  readonly clockTolerance: number;
  readonly store: NonceStore;
  readonly nonces: DpopNonces | undefined;
}

/**
 * The compiled `dpop` option of a verifier: which presentations a token may use, the proof
 * check, and the DPoP challenge of rejections (RFC 9449 §7.1).
 */
export class DpopPolicy {
  readonly required: boolean;
  /** `algs` of the DPoP challenge: the accepted proof algorithms, space-separated. */
  readonly algs: string;
  readonly #settings: DpopPolicySettings;
  readonly #rules: Parameters<typeof verifyDpopProof>[1];

  constructor(settings: DpopPolicySettings) {
    this.#settings = settings;
    this.required = settings.required;
    this.algs = [...settings.algorithms].join(' ');
    this.#rules = { ...settings, keys: new ProofKeyCache() };
  }

  /** A nonce to hand out now, or undefined when nonces are off. */
  nonce(nowMs: number): string | undefined {
    return this.#settings.nonces?.current(nowMs);
  }

  /**
   * Checks the binding of a verified token against its presentation; for `DPoP`, verifies the
   * proof. Returns a promise only when there is something to wait for.
   *
   * @throws {AuthError} see `DpopOptions` and `verifyDpopProof`
   */
  check(
    jkt: string | undefined,
    token: string,
    request: RequestLike | undefined,
    presentation: TokenPresentation,
    nowMs: number,
  ): Promise<unknown> | undefined {
    if (presentation !== 'DPoP') {
      if (jkt !== undefined) throw boundTokenAsBearer(presentation);
      if (this.required && presentation === 'Bearer') {
        throw new AuthError('invalid_token_type', { claim: 'cnf', description: 'DPoP-bound token required' });
      }
      return undefined;
    }
    if (jkt === undefined) {
      throw new AuthError('invalid_token_type', { claim: 'cnf', description: 'token is not DPoP-bound' });
    }
    if (request === undefined)
      throw new AuthError('invalid_dpop_proof', { description: 'missing DPoP proof' });
    const origin = this.#settings.origin;
    return verifyDpopProof(request, this.#rules, {
      method: request.method ?? '',
      origins:
        origin === undefined
          ? [requestOrigin(request)]
          : typeof origin === 'function'
            ? [functionOrigin(origin, request)]
            : origin,
      path: requestPath(request),
      accessToken: token,
      jkt,
      nowMs,
    });
  }

  /**
   * The challenge of a rejection (RFC 9449 §7): requests that used DPoP, DPoP errors and every
   * rejection when DPoP is required challenge with `DPoP ... algs="..."`. When DPoP is optional,
   * a request without credentials, and a bound token sent as a bearer token, get the Bearer
   * challenge followed by `DPoP algs="..."` (§7.2), so clients learn both schemes.
   */
  challenge(error: AuthError, presentation: TokenPresentation): AuthError {
    if (error.status === 503 || (error.scheme !== 'Bearer' && error.scheme !== 'DPoP')) return error;
    const algs = { algs: this.algs };
    if (error.scheme === 'DPoP' || presentation === 'DPoP' || this.required) {
      return error.with({ scheme: 'DPoP', challengeParams: algs });
    }
    if (error.code === 'missing_token' || (error.code === 'invalid_token_type' && error.claim === 'cnf')) {
      return error.with({
        additionalChallenges: [challenge('DPoP', undefined, undefined, error.realm, algs)],
      });
    }
    return error;
  }
}

/**
 * The `cnf.jkt` of a verified token's claims, or undefined for a token that is not DPoP-bound.
 * @throws {AuthError} `invalid_claim` for a `cnf` that is not an object or a `jkt` that is not a string
 */
export function boundThumbprint(payload: Readonly<Record<string, unknown>>): string | undefined {
  const cnf = payload.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new AuthError('invalid_claim', { claim: 'cnf' });
  }
  const jkt = (cnf as Readonly<Record<string, unknown>>).jkt;
  if (jkt === undefined) return undefined;
  if (typeof jkt !== 'string' || jkt === '') throw new AuthError('invalid_claim', { claim: 'cnf' });
  return jkt;
}

/**
 * The binding check of a verifier without the `dpop` option: a token bound to a DPoP key is
 * never accepted, since its proof cannot be checked (RFC 9449 §7.2).
 */
export function refuseBoundToken(payload: Readonly<Record<string, unknown>>): void {
  if (boundThumbprint(payload) !== undefined) throw boundTokenAsBearer('Bearer');
}

function boundTokenAsBearer(presentation: TokenPresentation): AuthError {
  return new AuthError('invalid_token_type', {
    claim: 'cnf',
    description:
      presentation === 'forwarded'
        ? 'a DPoP-bound token cannot be forwarded'
        : 'DPoP-bound token sent as a bearer token',
  });
}

function functionOrigin(origin: (request: RequestLike) => string, request: RequestLike): string {
  const value = origin(request);
  const parsed = typeof value === 'string' ? normalizeOrigin(value) : undefined;
  if (parsed === undefined) {
    throw new TypeError("dpop.origin must return an origin such as 'https://payments.internal'");
  }
  return parsed;
}

function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? `${url.protocol}//${url.host}` : undefined;
  } catch {
    return undefined;
  }
}
