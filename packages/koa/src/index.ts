export {
  type AuthClaims,
  type AuthContext,
  AuthError,
  createVerifier,
  isAuthError,
  Verifier,
} from '@org/auth-core';
export {
  fromGuard,
  requireAnyPermission,
  requireCaller,
  requireCheck,
  requireKind,
  requirePermission,
  requireRole,
} from './guards.js';
export type { AuthenticatedState, KoaAuthOptions, ServiceAuthOptions } from './service-auth.js';
export { serviceAuth } from './service-auth.js';
