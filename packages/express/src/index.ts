export {
  type AuthClaims,
  type AuthContext,
  AuthError,
  type Authenticator,
  allOf,
  allow,
  anyOf,
  createAuthContext,
  createHmacAuthenticator,
  createMtlsAuthenticator,
  createVerifier,
  deny,
  isAuthError,
  MemoryNonceStore,
  type Policy,
  type Verifier,
} from '@org/auth-core';
export {
  authorize,
  fromGuard,
  requireAnyPermission,
  requireBoundToken,
  requireCaller,
  requireCheck,
  requireKind,
  requirePermission,
  requireRole,
  requireUser,
  requireUserPermission,
} from './guards.js';
export type { AuthenticatedRequest, ExpressAuthOptions, ServiceAuthOptions } from './service-auth.js';
export { serviceAuth } from './service-auth.js';
export { authErrorHandler, verifyBody } from './signed-body.js';
