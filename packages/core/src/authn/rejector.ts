import type { PolicyEvaluator, RefusalDetail, Rejector } from '../auth-context.js';
import {
  AuthError,
  type AuthErrorCode,
  type AuthErrorOptions,
  type AuthScheme,
  isAuthError,
} from '../errors.js';
import { type AuthEvent, type AuthEventListener, type RequestIdentity, safeListener } from '../events.js';

/** Settings of a {@link Rejector}, validated by the authenticator that owns it. */
export interface RejectorSettings {
  /** The scheme of this authenticator's challenges: `Bearer`, `HMAC-SHA256` or `mTLS`. */
  readonly scheme: AuthScheme;
  readonly realm: string | undefined;
  readonly onEvent: AuthEventListener | undefined;
  /** Also hears every rejection (not acceptances): the `logger` option's reporter. */
  readonly log?: AuthEventListener | undefined;
  readonly now: () => number;
  /** The policies `authorize()` uses for this authenticator's contexts (the verifier's `policies`). */
  readonly policies?: PolicyEvaluator | undefined;
  /**
   * The last touch of every rejection (the verifier adds its DPoP challenges here), given how the
   * request presented its credentials.
   */
  readonly finish?: ((error: AuthError, presentation: string) => AuthError) | undefined;
}

/**
 * The {@link Rejector} of the built-in authenticators: every rejection is made here once, in its
 * final form (status, code, realm, scheme, challenge) and reported as a `rejected` event; every
 * acceptance is reported as an `accepted` event.
 */
export class AuthRejector implements Rejector {
  /** The scheme of this authenticator's challenges. */
  readonly scheme: AuthScheme;
  /** The `realm` of its challenges, if configured. */
  readonly realm: string | undefined;
  /** False without an event listener: the hot path then builds no event objects. */
  readonly listening: boolean;
  /** The clock, in milliseconds since the epoch. */
  readonly now: () => number;
  /** Policies for `authorize()`, when the authenticator has some. */
  readonly policies: PolicyEvaluator | undefined;
  readonly #emit: AuthEventListener;
  readonly #log: AuthEventListener | undefined;
  readonly #finish: ((error: AuthError, presentation: string) => AuthError) | undefined;

  constructor(settings: RejectorSettings) {
    this.scheme = settings.scheme;
    this.realm = settings.realm;
    this.listening = settings.onEvent !== undefined;
    this.now = settings.now;
    this.policies = settings.policies;
    this.#emit = safeListener(settings.onEvent);
    this.#log = settings.log;
    this.#finish = settings.finish;
  }

  /** Reports an accepted request. */
  accepted(identity: RequestIdentity, cached = false): void {
    if (this.listening) this.#emit({ type: 'accepted', cached, ...identity });
  }

  /**
   * The answer to an authentication failure: an `AuthError` in its final form (this
   * authenticator's scheme unless the error names another, its realm, its challenges for the way
   * the credentials were presented), reported; anything else (a bug, a custom check's own error)
   * is returned untouched.
   */
  reject(error: unknown, identity: RequestIdentity = {}, presentation = 'Bearer'): unknown {
    if (!isAuthError(error)) return error;
    const schemed =
      error.scheme === 'Bearer' && this.scheme !== 'Bearer' ? error.with({ scheme: this.scheme }) : error;
    const answer = this.#withRealm(schemed);
    return this.#report(this.#finish === undefined ? answer : this.#finish(answer, presentation), identity);
  }

  /**
   * A route's refusal (a guard, a policy) with `code`, in its final form and reported: with the
   * given `scheme` (the context's), else this authenticator's, and its realm.
   */
  refuse(
    code: AuthErrorCode,
    identity: RequestIdentity,
    options: AuthErrorOptions = {},
    detail?: RefusalDetail,
  ): AuthError {
    const error = new AuthError(code, {
      scheme: this.scheme,
      ...options,
      ...(this.realm === undefined ? {} : { realm: this.realm }),
    });
    return this.#report(error, identity, detail);
  }

  /**
   * A failure passed on by a composition of authenticators: with this realm, and reported unless
   * the authenticator that failed has reported it already.
   */
  relay(error: AuthError, reported: boolean): AuthError {
    const answer = this.#withRealm(error);
    return reported ? answer : this.#report(answer, {});
  }

  #withRealm(error: AuthError): AuthError {
    return this.realm === undefined || error.realm === this.realm ? error : error.with({ realm: this.realm });
  }

  #report(answer: AuthError, identity: RequestIdentity, detail?: RefusalDetail): AuthError {
    if (!this.listening && this.#log === undefined) return answer;
    const event: AuthEvent = {
      type: 'rejected',
      code: answer.code,
      status: answer.status,
      description: answer.description,
      ...(detail?.requirement === undefined ? {} : { requirement: detail.requirement }),
      ...(detail?.policy === undefined ? {} : { policy: detail.policy }),
      ...(answer.detail === undefined ? {} : { detail: answer.detail }),
      ...identity,
    };
    this.#emit(event);
    this.#log?.(event);
    return answer;
  }
}
