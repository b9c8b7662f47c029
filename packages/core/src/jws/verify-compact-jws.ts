import { compileStaticKeys } from '../keys/compile-issuers.js';
import type { PublicKeyIssuer, SecretIssuer, StaticJwksIssuer } from '../keys/issuer-options.js';
import { verifyWithKeys } from '../keys/verify-signature.js';
import { decodeJws, type TokenHeader } from '../token/decode-token.js';

/**
 * Static keys for {@link verifyCompactJws}: the `jwks`, `publicKey` or `secret` key source of an
 * issuer, with its `algorithms` (default: the asymmetric ones; HS* only with `secret`).
 */
export type JwsKeys =
  | Omit<StaticJwksIssuer, 'issuer'>
  | Omit<PublicKeyIssuer, 'issuer'>
  | Omit<SecretIssuer, 'issuer'>;

/** A JWS whose signature verified. */
export interface VerifiedJws {
  readonly header: TokenHeader;
  /** The payload bytes, not interpreted. */
  readonly payload: Uint8Array;
}

/**
 * Verifies a JWS in compact serialization whose payload is not (necessarily) a JWT: the same
 * code path as the verifier for structure (canonical base64url, JSON object header without
 * duplicate members, no `b64`), algorithm/key binding (`alg` on the list, keys of the right type
 * only, `kid` selection) and signature; no claim is read. Keys are compiled on every call, as
 * `createVerifier` compiles them (weak keys and bad options throw `AuthConfigError`): it is
 * meant for tests and tools, not for a request path.
 *
 * @example
 * ```ts
 * const { payload } = await verifyCompactJws(jws, { jwks: { keys: [publicJwk] }, algorithms: ['ES256'] });
 * new TextDecoder().decode(payload);
 * ```
 *
 * @throws {AuthConfigError} for unusable keys or options
 * @throws {AuthError} `malformed_token`, `unsupported_token`, `unsupported_algorithm`, `unknown_key` or `invalid_signature`
 */
export async function verifyCompactJws(jws: string, keys: JwsKeys): Promise<VerifiedJws> {
  const source = compileStaticKeys('keys', { ...keys, issuer: 'urn:jws' } as Parameters<
    typeof compileStaticKeys
  >[1]);
  const { header, payloadSegment } = decodeJws(jws, true);
  await verifyWithKeys(jws, header, source);
  return { header, payload: new Uint8Array(Buffer.from(payloadSegment, 'base64url')) };
}
