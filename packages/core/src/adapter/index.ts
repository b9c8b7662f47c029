/**
 * `@org/auth-core/adapter`: the adapter kit, for authors of framework adapters, and the option
 * checks that every package built on the core shares (stores, callers, tools). Applications import
 * `@org/auth-core` instead.
 *
 * An adapter is the framework's idiom around these calls: {@link prepareAdapter} once per
 * middleware, `enter`/`cached`/`authenticate` per request, {@link rejectionResponse} for every
 * rejection, {@link adaptGuards} for the route guards, and, for signed bodies, the parser's bytes
 * to {@link receiveBody} or a {@link SignedBody} hasher, then {@link finishBody}.
 */

export type { Authorizer } from '../guards/authorize.js';
export { type BodyHasher, SignedBody } from '../hmac/signed-body.js';
export { assertKnownKeys, closest, optionKeys } from '../lib/option-checks.js';
export type { RequestSocket } from '../token/request.js';
export { adaptGuards, type GuardFactories } from './adapt-guards.js';
export {
  type AdapterOptions,
  DEFAULT_MAX_BODY_BYTES,
  type OnError,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
  type Transport,
  type VerifierOrOptions,
} from './adapter-options.js';
export {
  type ReadinessResponse,
  type ReadinessSource,
  readinessResponse,
  readinessSource,
} from './readiness.js';
export {
  type AuthRequestState,
  type BodyStream,
  type BoundAuthorize,
  finishBody,
  hashingStream,
  type PreparedAdapter,
  prepareAdapter,
  type RejectionResponse,
  receiveBody,
  rejectionResponse,
} from './request-state.js';
