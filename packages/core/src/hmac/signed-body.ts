import { createHash, timingSafeEqual } from 'node:crypto';
import type { BodyCheck } from '../authn/authenticator.js';
import { AuthError } from '../errors.js';
import { HMAC_SCHEME, hashBody } from './canonical-request.js';

/** Hashes a body as it streams past, for frameworks that let middleware see the raw stream. */
export interface BodyHasher {
  update(chunk: Uint8Array | string): void;
  /** Records the hash once the whole body went past; {@link SignedBody.check} compares it. */
  finish(): void;
}

const UNCHECKED = 'request body could not be checked against its signature';

interface Expected {
  readonly hash: string;
  readonly reject: (error: AuthError) => AuthError;
}

/**
 * One request's body as far as its signature is concerned: the hash an authenticator expects
 * (set once the signature is good) and the hash of the bytes actually received (reported by the
 * adapter, before or after authentication). The two are compared as soon as both are known.
 *
 * An adapter creates one per request when its authenticator signs bodies, passes it to
 * `authenticate(request, { body })`, and reports the bytes through {@link SignedBody.receive} or
 * {@link SignedBody.hasher}; {@link SignedBody.check} then fails closed on a body never seen.
 */
export class SignedBody implements BodyCheck {
  #expected: Expected | undefined;
  #received: string | undefined;

  /**
   * Called by an authenticator once the signature is good: the body must hash to `hash`.
   * `reject` gives a mismatch its final form (realm, audit event).
   *
   * @throws {AuthError} `body_mismatch` when the body was already received and differs
   */
  expect(hash: string, reject: (error: AuthError) => AuthError): void {
    this.#expected = { hash, reject };
    if (this.#received !== undefined) this.#compare(this.#received);
  }

  /** True when the request was signed and its body has not been checked yet. */
  get pending(): boolean {
    return this.#expected !== undefined && this.#received === undefined;
  }

  /**
   * Reports the whole body as received (a parser's raw bytes or text).
   *
   * @throws {AuthError} `body_mismatch` when the signature covers other bytes
   */
  receive(body: Uint8Array | string | undefined): void {
    this.#received = hashBody(body);
    if (this.#expected !== undefined) this.#compare(this.#received);
  }

  /** A hasher for a body still to stream past, or `undefined` when there is nothing to check. */
  hasher(): BodyHasher | undefined {
    if (!this.pending) return undefined;
    const hash = createHash('sha256');
    let bytes = 0;
    return {
      update(chunk) {
        bytes += chunk.length;
        hash.update(chunk);
      },
      finish: () => {
        this.#received = bytes === 0 ? hashBody(undefined) : hash.digest('base64url');
      },
    };
  }

  /**
   * After the body was read: does nothing for a request that was not signed or whose body
   * matched; fails closed for a signed body never seen.
   *
   * @throws {AuthError} `body_mismatch`
   */
  check(): void {
    if (this.#expected === undefined) return;
    if (this.#received === undefined) throw this.uncheckable(UNCHECKED);
    this.#compare(this.#received);
  }

  /** The rejection for a body that cannot be checked (too large, consumed unseen). Fails closed. */
  uncheckable(description: string): AuthError {
    const error = new AuthError('body_mismatch', { description, scheme: HMAC_SCHEME });
    return this.#expected === undefined ? error : this.#expected.reject(error);
  }

  #compare(received: string): void {
    const expected = this.#expected as Expected;
    const left = Buffer.from(expected.hash);
    const right = Buffer.from(received);
    if (left.length !== right.length || !timingSafeEqual(left, right)) {
      throw expected.reject(new AuthError('body_mismatch', { scheme: HMAC_SCHEME }));
    }
  }
}

/** True when the request announces a body (chunked, or a non-zero `Content-Length`). */
export function announcesBody(headers: Readonly<Record<string, unknown>>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return typeof length === 'string' && length !== '0' && length !== '';
}
