export type {
  CertificateUsage,
  IssueCertificateOptions,
  TestCertificate,
  TestCertificateAuthority,
  TestCertificateAuthorityOptions,
} from './certificates.js';
export { createTestCertificateAuthority } from './certificates.js';
export type { JwksServer, JwksServerMode, JwksServerOptions, JwksSource } from './jwks-server.js';
export { startJwksServer } from './jwks-server.js';
export type { GenerateTestKeyOptions, JsonWebKeySet, TestAlgorithm, TestKey } from './keys.js';
export { generateTestKey, toJwks } from './keys.js';
export type {
  BrokenTokenKind,
  ClaimOverrides,
  SignOptions,
  TestIssuerOptions,
  TokenMarker,
} from './test-issuer.js';
export { BROKEN_TOKEN_KINDS, createTestIssuer, TestIssuer } from './test-issuer.js';
