import type { AuthContext, Rejector } from '../auth-context.js';
import type { AuthError } from '../errors.js';
import type { RequestLike } from '../token/request.js';

/**
 * Where an authenticator that signs bodies (HMAC) records the hash a request's body must have;
 * the adapter kit's `SignedBody` is one, and compares it with the bytes the adapter reports.
 */
export interface BodyCheck {
  /** The body must hash to `hash`; `reject` gives a mismatch its final form (realm, event). */
  expect(hash: string, reject: (error: AuthError) => AuthError): void;
}

/** Options of {@link Authenticator.authenticate}. */
export interface AuthenticateOptions {
  /**
   * When true, a request without any credentials of this kind resolves to `undefined` instead of
   * failing with `missing_token`; a request with bad credentials is still rejected.
   */
  readonly optional?: boolean;
  /**
   * Where the adapter reports this request's body, for authenticators that sign bodies (HMAC);
   * a signed request with a body and no `body` here is refused, as its body could not be checked.
   */
  readonly body?: BodyCheck | undefined;
}

/**
 * Anything that authenticates a request: a `Verifier` (JWT bearer tokens, sessions), the HMAC
 * and mTLS authenticators, a composition (`anyOf`, `allOf`), or your own. Adapters accept one as
 * `{ authenticator }` in place of verifier options.
 *
 * Contract: with `{ optional: true }`, resolve to `undefined` when the request carries no
 * credentials of this kind; resolve to a context when they are good; reject with an `AuthError`
 * when they are not. Build contexts of your own with `createAuthContext`.
 */
export interface Authenticator {
  authenticate(request: RequestLike, options?: AuthenticateOptions): Promise<AuthContext | undefined>;
  /**
   * Optional fast path: the context when it can be decided synchronously and positively (a
   * `Verifier`'s cache hit), else `undefined`, and then `authenticate` decides. Never throws.
   */
  authenticateCached?(request: RequestLike): AuthContext | undefined;
  /**
   * How this authenticator answers rejections (realm, scheme, events); route guards use it for a
   * request it did not authenticate. Optional for your own authenticators.
   */
  readonly rejector?: Rejector | undefined;
  /**
   * True when it may accept requests whose body is signed (HMAC), so that an adapter checks
   * bodies against their signatures. Default false.
   */
  readonly signsBodies?: boolean;
  /**
   * The HTTP-only mechanism it relies on, if any: `'DPoP'` (proofs sign the HTTP method and URL,
   * RFC 9449 §4.2) or `'HMAC-SHA256'` (signatures cover the method, target and body). Adapters of
   * other protocols (gRPC) refuse such an authenticator when they are built. Default: none.
   */
  readonly httpOnly?: 'DPoP' | 'HMAC-SHA256' | undefined;
}
