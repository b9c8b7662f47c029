import { optionKeys } from '@org/auth-core/adapter';
import type { AsymmetricAlgorithm } from '../keys/signing-key.js';
import { checkOptions } from '../lib/options.js';
import { type DpopKey, type PreparedDpopKey, prepareDpopKey, signDpopProof } from './create-dpop-proof.js';

/** The `dpop` option of `createAuthFetch`. */
export interface AuthFetchDpopOptions {
  /** The key the tokens are bound to (their `cnf.jkt` is its thumbprint, see `jwkThumbprint`). */
  readonly key: DpopKey;
  /** Proof algorithm. Default: the key's (see `createDpopProof`). */
  readonly alg?: AsymmetricAlgorithm;
  /** Clock in milliseconds, for the proofs' `iat`. Default `Date.now`. */
  readonly now?: () => number;
}

const OPTIONS = optionKeys<AuthFetchDpopOptions>({ key: true, alg: true, now: true });

/** Most origins whose nonce is remembered; the oldest is forgotten first. */
const MAX_ORIGINS = 256;

/**
 * The DPoP state of one `createAuthFetch`: the prepared key, and the latest `DPoP-Nonce` of each
 * origin (RFC 9449 §8.2: a server may send a new one on any response).
 */
export class DpopSession {
  readonly #key: PreparedDpopKey;
  readonly #now: (() => number) | undefined;
  readonly #nonces = new Map<string, string>();

  /** @throws {AuthConfigError} for invalid or unknown options, named `dpop.*` */
  constructor(options: AuthFetchDpopOptions) {
    checkOptions('dpop', options, OPTIONS, '{ key } with the private key the tokens are bound to');
    this.#key = prepareDpopKey(options.key, options.alg);
    this.#now = options.now;
  }

  /** The `Authorization` and `DPoP` headers of one request. */
  async headers(
    method: string,
    url: URL,
    token: string,
  ): Promise<{ authorization: string; dpop: string; nonce: string | undefined }> {
    const nonce = this.#nonces.get(url.origin);
    const proof = await signDpopProof(this.#key, {
      method,
      url,
      accessToken: token,
      ...(nonce === undefined ? {} : { nonce }),
      ...(this.#now === undefined ? {} : { now: this.#now }),
    });
    return { authorization: `DPoP ${token}`, dpop: proof, nonce };
  }

  /**
   * Remembers the response's `DPoP-Nonce`, and tells whether the request should be retried with
   * it: a 401 `use_dpop_nonce` challenge carrying a new nonce (RFC 9449 §8.1).
   */
  observe(url: URL, response: Response, usedNonce: string | undefined): boolean {
    const nonce = response.headers.get('dpop-nonce')?.trim();
    if (nonce === undefined || nonce === '') return false;
    this.#nonces.delete(url.origin);
    this.#nonces.set(url.origin, nonce);
    if (this.#nonces.size > MAX_ORIGINS) {
      const oldest = this.#nonces.keys().next();
      if (!oldest.done) this.#nonces.delete(oldest.value);
    }
    if (response.status !== 401 || nonce === usedNonce) return false;
    const challenge = response.headers.get('www-authenticate') ?? '';
    return /\berror\s*=\s*"?use_dpop_nonce"?/i.test(challenge);
  }
}
