export { adaptGuards, type GuardFactories } from './adapter/adapt-guards.js';
export {
  type AdapterOptions,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
  type VerifierOrOptions,
} from './adapter/adapter-options.js';
export { bindingOf, bindRequest, type RequestBinding } from './adapter/request-binding.js';
export { type AuthClaims, AuthContext, type Claims, type StandardClaims } from './auth-context.js';
export { type Authenticator, allOf, anyOf, relevance } from './authn/compose.js';
export {
  type AuthorizeOptions,
  type Authorizer,
  authorize,
} from './authz/authorize.js';
export { CallerPatterns } from './authz/caller-patterns.js';
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
} from './authz/guards.js';
export { isGrant, isPermission, PermissionSet } from './authz/permissions.js';
export {
  allow,
  deny,
  type Policy,
  type PolicyContext,
  type PolicyDecision,
  PolicyEngine,
  type PolicyOutcome,
} from './authz/policies.js';
export type { RoleMap } from './authz/role-map.js';
export type { CertificateBinding } from './binding/certificate-binding.js';
export type { DelegationOptions } from './delegation/delegation.js';
export {
  DEFAULT_DPOP_ALGORITHMS,
  type DpopAlgorithm,
  type DpopNonceOptions,
  type DpopOptions,
  type DpopOrigin,
} from './dpop/dpop-options.js';
export { type JwkLike, jwkThumbprint } from './dpop/jwk-thumbprint.js';
export {
  AUTH_ERROR_CODES,
  AuthConfigError,
  AuthError,
  type AuthErrorBody,
  type AuthErrorCode,
  type AuthErrorOptions,
  type AuthScheme,
  type BearerErrorCode,
  bearerChallenge,
  type ChallengeErrorCode,
  challenge,
  isAuthError,
} from './errors.js';
export type {
  AcceptedEvent,
  AuthEvent,
  AuthEventListener,
  KeysFetchFailedEvent,
  KeysRefreshedEvent,
  RejectedEvent,
  RequestIdentity,
  TokenKind,
} from './events.js';
export { TOKEN_KINDS } from './events.js';
export {
  type BodyHasher,
  checkSignedBody,
  createBodyHasher,
  isBodyPending,
  signsBodies,
  uncheckableBody,
  verifyRequestBody,
} from './hmac/body-digest.js';
export {
  type CanonicalRequestParts,
  canonicalRequest,
  EMPTY_BODY_HASH,
  HMAC_SCHEME,
  hashBody,
} from './hmac/canonical-request.js';
export {
  createHmacAuthenticator,
  type HmacAuthenticatorOptions,
  type HmacService,
} from './hmac/hmac-authenticator.js';
export {
  HMAC_MIN_SECRET_BYTES,
  hmacSecretBytes,
  isHmacKeyId,
  isSignedHeaderName,
} from './hmac/hmac-credentials.js';
export { type SignRequestOptions, signRequest } from './hmac/sign-request.js';
export { createAuthContext, type IdentityInput } from './identity/create-auth-context.js';
export type { SessionCheck, SessionResult } from './identity/sessions.js';
export { type JwsKeys, type VerifiedJws, verifyCompactJws } from './jws/verify-compact-jws.js';
export { type Algorithm, ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from './keys/algorithms.js';
export type { KeyMaterial } from './keys/key-entry.js';
export type { IssuerHealth } from './keys/key-source.js';
export { certificateThumbprint } from './mtls/certificate-thumbprint.js';
export type { MtlsIdentityRule } from './mtls/identity-rule.js';
export {
  createMtlsAuthenticator,
  type MtlsAuthenticatorOptions,
} from './mtls/mtls-authenticator.js';
export type { MtlsGrant } from './mtls/mtls-grants.js';
export { type Duration, parseDuration } from './options/duration.js';
export type {
  AuthCheck,
  CheckResult,
  DiscoveryIssuer,
  IssuerOptions,
  JsonWebKeySet,
  JwksUriIssuer,
  PublicKeyIssuer,
  RemoteKeyOptions,
  SecretIssuer,
  ServiceTokenRules,
  StaticJwksIssuer,
  TokenRules,
  VerifierOptions,
} from './options/verifier-options.js';
export { MemoryNonceStore, type MemoryNonceStoreOptions } from './replay/memory-nonce-store.js';
export type { NonceStore } from './replay/nonce-store.js';
export {
  MemoryRevocationStore,
  type MemoryRevocationStoreOptions,
  type RevokeSubjectOptions,
  type RevokeTokenOptions,
} from './revocation/memory-revocation-store.js';
export type { RevocationQuery, RevocationStore } from './revocation/revocation-store.js';
export { type DecodedToken, decodeToken, type TokenHeader } from './token/decode-token.js';
export {
  type BearerExtractionOptions,
  DEFAULT_MAX_TOKEN_LENGTH,
  extractBearerToken,
} from './token/extract-bearer-token.js';
export { type RequestLike, type RequestSocket, requestTarget } from './token/request.js';
export {
  type AuthenticateOptions,
  createVerifier,
  Verifier,
  type VerifierHealth,
} from './verifier.js';
