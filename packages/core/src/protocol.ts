/**
 * `@org/auth-core/protocol`: the building blocks of the wire formats, for the caller side and
 * tools (`@org/auth-client` and `@org/auth-cli` use them): the HMAC canonical request and
 * credential rules, JWK and certificate thumbprints, and the token decoder and verifier used
 * inside the pipeline, and the time texts of rejection explanations (`describeTimeClaim`).
 */

export { type JwkLike, jwkThumbprint } from './dpop/jwk-thumbprint.js';
export { describeTimeClaim, isoTime, relativeTime, span } from './explain/time-text.js';
export {
  type CanonicalRequestParts,
  canonicalRequest,
  EMPTY_BODY_HASH,
} from './hmac/canonical-request.js';
export {
  HMAC_MIN_SECRET_BYTES,
  hmacSecretBytes,
  isHmacKeyId,
  isSignedHeaderName,
} from './hmac/hmac-credentials.js';
export { type JwsKeys, type VerifiedJws, verifyCompactJws } from './jws/verify-compact-jws.js';
export { type Algorithm, ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from './keys/algorithms.js';
export { certificateThumbprint } from './tls/certificate-thumbprint.js';
export { type DecodedToken, decodeToken, type TokenHeader } from './token/decode-token.js';
export { type BearerExtractionOptions, extractBearerToken } from './token/extract-bearer-token.js';
