/**
 * `@org/auth-core/adapter`: what a framework adapter needs, for adapter authors. Applications
 * import `@org/auth-core` instead.
 */

export type { Authorizer } from '../authz/authorize.js';
export {
  type BodyHasher,
  checkSignedBody,
  createBodyHasher,
  isBodyPending,
  uncheckableBody,
  verifyRequestBody,
} from '../hmac/body-digest.js';
export type { RequestSocket } from '../token/request.js';
export { adaptGuards, type GuardFactories } from './adapt-guards.js';
export {
  type AdapterOptions,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
  type VerifierOrOptions,
} from './adapter-options.js';
export { bindingOf, bindRequest, type RequestBinding } from './request-binding.js';
