import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors.js';
import { HMAC_SCHEME, hashBody } from './canonical-request.js';

/** What is known about one request's body: the signed hash, the received bytes' hash, or both. */
interface BodyState {
  /** The hash the signature covers, and how a mismatch is reported (realm, audit event). */
  expected?: { readonly hash: string; readonly reject: (error: AuthError) => AuthError };
  /** The hash of the bytes actually received, when a body parser saw them first. */
  received?: string;
}

// A symbol property on Node's request, like the adapter binding: no per-request WeakMap.
const BODY: unique symbol = Symbol('@org/auth-core signed body');

function stateOf(request: object): BodyState {
  const target = request as { [BODY]?: BodyState };
  target[BODY] ??= {};
  return target[BODY];
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function compare(expected: NonNullable<BodyState['expected']>, received: string): void {
  if (!same(expected.hash, received)) {
    throw expected.reject(new AuthError('body_mismatch', { scheme: HMAC_SCHEME }));
  }
}

/**
 * @internal Called by the HMAC authenticator once the signature is good: the body must hash to
 * `hash`. Compares at once when a body parser already reported the body, else waits for it.
 */
export function expectBodyHash(request: object, hash: string, reject: (error: AuthError) => AuthError): void {
  const state = stateOf(request);
  state.expected = { hash, reject };
  if (state.received !== undefined) compare(state.expected, state.received);
}

/** True when the request was signed and its body has not been checked against the signature yet. */
export function isBodyPending(request: object): boolean {
  const state = (request as { [BODY]?: BodyState })[BODY];
  return state?.expected !== undefined && state.received === undefined;
}

/**
 * Checks the raw bytes of a request's body against its HMAC signature. Adapters call it from the
 * framework's body parsing (Express `express.json({ verify })`, Koa after the body parser, a
 * Fastify `preParsing` stream); before authentication it remembers the hash for the authenticator.
 * On a request that was not signed it does nothing.
 *
 * @throws {AuthError} `body_mismatch` when the signature covers other bytes
 */
export function verifyRequestBody(request: object, body: Uint8Array | string | undefined): void {
  const state = stateOf(request);
  state.received = hashBody(body);
  if (state.expected !== undefined) compare(state.expected, state.received);
}

/** Hashes a body as it streams past, for frameworks that let middleware see the raw stream. */
export interface BodyHasher {
  update(chunk: Uint8Array | string): void;
  /** Records the hash once the whole body went past; {@link checkSignedBody} compares it. */
  finish(): void;
}

/**
 * A {@link BodyHasher} for a signed request whose body is still to come, or `undefined` when
 * there is nothing to check (not a signed request, or its body already checked).
 */
export function createBodyHasher(request: object): BodyHasher | undefined {
  if (!isBodyPending(request)) return undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  return {
    update(chunk) {
      bytes += chunk.length;
      hash.update(chunk);
    },
    finish() {
      stateOf(request).received = bytes === 0 ? hashBody(undefined) : hash.digest('base64url');
    },
  };
}

/**
 * After the body was read: throws when a signed request's body does not match its signature, or
 * was never seen (fails closed). Does nothing for requests that were not signed.
 *
 * @throws {AuthError} `body_mismatch`
 */
export function checkSignedBody(request: object): void {
  const state = (request as { [BODY]?: BodyState })[BODY];
  if (state?.expected === undefined) return;
  if (state.received === undefined) {
    throw uncheckableBody(request, 'request body could not be checked against its signature');
  }
  compare(state.expected, state.received);
}

/** True when the request announces a body (chunked, or a non-zero `Content-Length`). */
export function announcesBody(headers: Readonly<Record<string, unknown>>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return typeof length === 'string' && length !== '0' && length !== '';
}

/**
 * A signed request's body cannot be checked (too large, or already consumed by code that did not
 * keep it): the rejection, with the realm and audit event of the authenticator that accepted the
 * signature. Fails closed.
 */
export function uncheckableBody(request: object, description: string): AuthError {
  const error = new AuthError('body_mismatch', { description, scheme: HMAC_SCHEME });
  const expected = (request as { [BODY]?: BodyState })[BODY]?.expected;
  return expected === undefined ? error : expected.reject(error);
}
