import type { AuthErrorCode } from './errors.js';
import type { RejectionDetail } from './explain/rejection-detail.js';

/**
 * Who called, by the kind of credentials the request carried: a service token (`service`), a
 * user token or session (`user`), a client certificate (`mtls`) or a signed request (`hmac`).
 */
export type CallerKind = 'service' | 'user' | 'mtls' | 'hmac';

/** Every {@link CallerKind}. */
export const CALLER_KINDS: readonly CallerKind[] = Object.freeze(['service', 'user', 'mtls', 'hmac']);

/** Who called, as far as the request told; every field is safe to log (no token, no key). */
export interface RequestIdentity {
  readonly issuer?: string;
  readonly subject?: string;
  /** The calling service (service tokens). */
  readonly caller?: string;
  readonly audience?: readonly string[];
  readonly kind?: CallerKind;
  /** Token id (`jti`), when the token has one. */
  readonly tokenId?: string;
  /** The user a service calls on behalf of (the subject of `auth.user`), when it does. */
  readonly user?: string;
}

/** A request passed authentication (and, for guards, authorization). */
export interface AcceptedEvent extends RequestIdentity {
  readonly type: 'accepted';
  /** True when the signature check was skipped because the same token was verified before. */
  readonly cached: boolean;
}

/** A request was rejected. */
export interface RejectedEvent extends RequestIdentity {
  readonly type: 'rejected';
  readonly code: AuthErrorCode;
  readonly status: number;
  /** The client-safe description, e.g. `token expired`. */
  readonly description: string;
  /** For guard rejections: what was required, e.g. `permission orders:create`. */
  readonly requirement?: string;
  /** For `policy_denied`: the policy that denied, when one did (none allowing has no policy). */
  readonly policy?: string;
  /**
   * What was found and what was expected, safe to log (issuer and audience strings, `kid`,
   * `alg`, times; never a token, signature, secret or key), e.g.
   * `{ field: 'iss', found: 'billing', expected: ['https://billing'], explanation: 'iss is "billing", expected "https://billing"' }`.
   */
  readonly detail?: RejectionDetail;
}

/** An issuer's keys were (re)loaded from its JWKS endpoint. */
export interface KeysRefreshedEvent {
  readonly type: 'keys_refreshed';
  readonly issuer: string;
  readonly keys: number;
  /** Keys of the document that were skipped, with the reason (weak, wrong type, ...). */
  readonly skipped: readonly string[];
}

/** Fetching an issuer's keys failed. */
export interface KeysFetchFailedEvent {
  readonly type: 'keys_fetch_failed';
  readonly issuer: string;
  /** Short, secret-free reason such as `answered HTTP 500` or `timed out`. */
  readonly reason: string;
  /** True when older keys keep serving. */
  readonly servingStaleKeys: boolean;
  /** Milliseconds until the next fetch is allowed (the back-off after this failure). */
  readonly retryInMs: number;
}

/** Everything the verifier reports through `onEvent`. */
export type AuthEvent = AcceptedEvent | RejectedEvent | KeysRefreshedEvent | KeysFetchFailedEvent;

/** Receives {@link AuthEvent}s; errors it throws are ignored, they never change a decision. */
export type AuthEventListener = (event: AuthEvent) => void;

/** Wraps a listener so that it can never throw into the request path. */
export function safeListener(listener: AuthEventListener | undefined): AuthEventListener {
  if (listener === undefined) return () => {};
  return (event) => {
    try {
      listener(event);
    } catch {
      // A logging failure must not turn into an authentication decision.
    }
  };
}
