import type { AuthContext } from './auth-context.js';
import type { AuthEventListener } from './events.js';

/** What a guard needs from the verifier that made a context: its event sink and realm. */
export interface ContextOwner {
  readonly emit: AuthEventListener;
  readonly realm: string | undefined;
}

const owners = new WeakMap<AuthContext, ContextOwner>();

/** @internal */
export function setContextOwner(context: AuthContext, owner: ContextOwner): void {
  owners.set(context, owner);
}

/** @internal */
export function contextOwner(context: AuthContext): ContextOwner | undefined {
  return owners.get(context);
}
