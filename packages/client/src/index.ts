export type { Duration } from '@org/auth-core';
export { type JwkLike, jwkThumbprint } from '@org/auth-core/protocol';
export {
  type AudienceResolver,
  type AuthFetchOptions,
  createAuthFetch,
  type SignedAuthFetchOptions,
  type TokenAuthFetchOptions,
} from './auth-fetch.js';
export {
  createDpopProof,
  type DpopKey,
  type DpopProofOptions,
} from './dpop/create-dpop-proof.js';
export type { AuthFetchDpopOptions } from './dpop/dpop-session.js';
export {
  AuthClientError,
  type AuthClientErrorCode,
  type AuthClientErrorOptions,
  AuthConfigError,
  isAuthClientError,
} from './errors.js';
export type { AuthFetchSignerOptions } from './hmac/request-signer.js';
export {
  createJwksHandler,
  type JwksHttpResponse,
  type JwksResponseOptions,
  type JwksSource,
  jwksResponse,
  type PublicJwks,
  toPublicJwks,
} from './keys/jwks.js';
export { createKeyRing, KeyRing, type KeyRingOptions } from './keys/key-ring.js';
export {
  type AsymmetricAlgorithm,
  exportPrivateKeyPem,
  type GenerateSigningKeyOptions,
  generateSigningKey,
  type ImportSigningKeyOptions,
  importSigningKey,
  loadSigningKeyFromEnv,
  loadSigningKeyFromFile,
  type PrivateKeyMaterial,
  type SigningAlgorithm,
  type SigningKey,
} from './keys/signing-key.js';
export type { RetryOptions } from './lib/retry.js';
export {
  type ClientAuthMethod,
  type ClientCredentialsSourceOptions,
  createClientCredentialsSource,
} from './sources/client-credentials.js';
export type { Confirmation } from './sources/confirmation.js';
export { createSelfSignedSource, type SelfSignedSourceOptions } from './sources/self-signed.js';
export type { IssuedToken, TokenRequest, TokenSource } from './sources/token-source.js';
export {
  createTokenClient,
  type GetTokenOptions,
  type RefreshErrorInfo,
  TokenClient,
  type TokenClientOptions,
} from './token-client.js';
