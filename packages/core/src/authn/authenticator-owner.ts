import { type ContextOwner, setOwner } from '../context-owner.js';
import { type AuthScheme, isAuthError, withRealm } from '../errors.js';
import { type AuthEventListener, type RequestIdentity, safeListener } from '../events.js';

/** What an authenticator other than the verifier reports through, and challenges with. */
export interface AuthenticatorOwner {
  /** Set on the authenticator and its contexts, so that guards and compositions audit to it. */
  readonly owner: ContextOwner;
  /** True when someone listens to events (skip building `accepted` events otherwise). */
  readonly listening: boolean;
  /** Reports an accepted request. */
  accepted(identity: RequestIdentity): void;
  /**
   * The answer to a failure: an `AuthError` gets the authenticator's scheme (unless it already
   * names another than `Bearer`) and realm, and is reported; anything else is returned as is.
   */
  rejected(error: unknown, identity: RequestIdentity): unknown;
}

/**
 * @internal The event sink, realm and challenge scheme of an authenticator such as the HMAC or
 * mTLS one, set on `authenticator` as its owner.
 */
export function ownAuthenticator(
  authenticator: object,
  settings: {
    readonly scheme: AuthScheme;
    readonly realm: string | undefined;
    readonly onEvent: AuthEventListener | undefined;
    readonly now: () => number;
  },
): AuthenticatorOwner {
  const { scheme, realm } = settings;
  const emit = safeListener(settings.onEvent);
  const owner: ContextOwner = { emit, realm, now: settings.now, scheme };
  setOwner(authenticator, owner);
  return {
    owner,
    listening: settings.onEvent !== undefined,
    accepted(identity) {
      emit({ type: 'accepted', cached: false, ...identity });
    },
    rejected(error, identity) {
      if (!isAuthError(error)) return error;
      const schemed = error.scheme === 'Bearer' && scheme !== 'Bearer' ? error.with({ scheme }) : error;
      const answer = withRealm(schemed, realm);
      emit({
        type: 'rejected',
        code: answer.code,
        status: answer.status,
        description: answer.description,
        ...identity,
      });
      return answer;
    },
  };
}
