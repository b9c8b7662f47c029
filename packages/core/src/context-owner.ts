import type { PolicyEngine } from './authz/policies.js';
import type { AuthEventListener } from './events.js';

/** What a guard needs from the verifier behind a request: its event sink, realm, policies and clock. */
export interface ContextOwner {
  readonly emit: AuthEventListener;
  readonly realm: string | undefined;
  readonly policies?: PolicyEngine | undefined;
  readonly now?: (() => number) | undefined;
}

// Keyed by a Verifier or by an AuthContext it produced.
const owners = new WeakMap<object, ContextOwner>();

/** @internal */
export function setOwner(key: object, owner: ContextOwner): void {
  owners.set(key, owner);
}

/** @internal */
export function ownerOf(key: object | undefined): ContextOwner | undefined {
  return key === undefined ? undefined : owners.get(key);
}
