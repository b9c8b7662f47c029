import type { PolicyEngine } from './authz/policies.js';
import type { AuthScheme } from './errors.js';
import type { AuthEventListener } from './events.js';

/** What a guard needs from the verifier behind a request: its event sink, realm, policies and clock. */
export interface ContextOwner {
  readonly emit: AuthEventListener;
  readonly realm: string | undefined;
  readonly policies?: PolicyEngine | undefined;
  readonly now?: (() => number) | undefined;
  /** The scheme of its challenges when not `Bearer` (an HMAC authenticator's `HMAC-SHA256`). */
  readonly scheme?: AuthScheme | undefined;
}

// Set on a Verifier or on an AuthContext it produced. A non-enumerable symbol property rather than
// a WeakMap: a context is made per verified token, and short-lived WeakMap keys make every
// garbage collection slower.
const OWNER: unique symbol = Symbol('@org/auth-core owner');

/** @internal */
export function setOwner(key: object, owner: ContextOwner): void {
  // A plain assignment: symbol keys stay out of JSON and Object.keys, and it is much cheaper than
  // defineProperty for the one context made per verified token.
  (key as { [OWNER]?: ContextOwner })[OWNER] = owner;
}

/** @internal */
export function ownerOf(key: object | undefined): ContextOwner | undefined {
  return key === undefined ? undefined : (key as { [OWNER]?: ContextOwner })[OWNER];
}
