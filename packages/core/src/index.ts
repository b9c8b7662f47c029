/**
 * `@org/auth-core`: the application API. Adapter authors import `@org/auth-core/adapter`;
 * callers and tools that speak the wire formats import `@org/auth-core/protocol`.
 */

// What a verified request is
export type { AuthClaims, AuthContext, Claims, Rejector } from './auth-context.js';
// Verifying requests
export type { AuthenticateOptions, Authenticator, BodyCheck } from './authn/authenticator.js';
export { allOf, anyOf } from './authn/compose.js';
// Options
export type { CertificateBinding } from './binding/certificate-binding.js';
export type { ServiceTokenRules, TokenRules } from './claims/token-rules.js';
export type { DelegationOptions } from './delegation/delegation.js';
export type { DpopOptions } from './dpop/dpop-options.js';
// Errors and events
export {
  AUTH_ERROR_CODES,
  AuthConfigError,
  AuthError,
  type AuthErrorBody,
  type AuthErrorCode,
  type AuthErrorOptions,
  type AuthScheme,
  isAuthError,
} from './errors.js';
export type { AuthEvent, AuthEventListener, CallerKind, RequestIdentity } from './events.js';
export type { RejectionDetail } from './explain/rejection-detail.js';
export type { RoleMap } from './grants/role-map.js';
// Authorizing routes
export { type AuthorizeOptions, authorize } from './guards/authorize.js';
export {
  type Guard,
  requireAnyPermission,
  requireBoundToken,
  requireCaller,
  requireCheck,
  requireKind,
  requirePermission,
  requireRole,
  requireUser,
  requireUserPermission,
} from './guards/guards.js';
export { createHmacAuthenticator, type HmacAuthenticatorOptions } from './hmac/hmac-authenticator.js';
export { type SignRequestOptions, signRequest } from './hmac/sign-request.js';
export { createAuthContext, type IdentityInput } from './identity/create-auth-context.js';
export type { SessionCheck, SessionResult } from './identity/sessions.js';
export type { IssuerOptions, RemoteKeyOptions } from './keys/issuer-options.js';
export type { IssuerHealth } from './keys/key-source.js';
export type { SignatureVerification } from './keys/signature-verification.js';
export { type Duration, parseDuration } from './lib/duration.js';
export type { AuthLogger } from './logging/log-sink.js';
export { createMtlsAuthenticator, type MtlsAuthenticatorOptions } from './mtls/mtls-authenticator.js';
export type { AuthCheck } from './pipeline/run-checks.js';
export { allow, deny, type Policy, type PolicyContext, type PolicyDecision } from './policies/policies.js';
// Stores
export { MemoryNonceStore } from './replay/memory-nonce-store.js';
export type { NonceStore } from './replay/nonce-store.js';
export { MemoryRevocationStore } from './revocation/memory-revocation-store.js';
export type { RevocationQuery, RevocationStore } from './revocation/revocation-store.js';
export type {
  MeterProviderLike,
  TelemetryOptions,
  TracerProviderLike,
} from './telemetry/telemetry-options.js';
export type { RequestLike } from './token/request.js';
export { createVerifier, type Verifier, type VerifierHealth } from './verifier/verifier.js';
export type { VerifierOptions } from './verifier/verifier-options.js';
