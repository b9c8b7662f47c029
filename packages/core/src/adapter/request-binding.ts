import type { Authenticator } from '../authn/authenticator.js';

/** What an adapter remembers about one request: who authenticated it and how to answer rejections. */
export interface RequestBinding<M extends string> {
  readonly verifier: Authenticator;
  readonly onError: M;
}

// A symbol property on the framework's request object rather than a WeakMap: one entry per request
// in a WeakMap makes every garbage collection slower under load.
const BINDING: unique symbol = Symbol('@org/auth request binding');

/**
 * Remembers, on the framework's request (or Koa context), the authenticator and rejection mode of
 * the middleware that saw it, so that route guards answer the same way and audit to it.
 */
export function bindRequest<M extends string>(target: object, binding: RequestBinding<M>): void {
  (target as { [BINDING]?: RequestBinding<M> })[BINDING] = binding;
}

/** The binding set by {@link bindRequest}, if the request went through an auth middleware. */
export function bindingOf<M extends string>(target: object): RequestBinding<M> | undefined {
  return (target as { [BINDING]?: RequestBinding<M> })[BINDING];
}
