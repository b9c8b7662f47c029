import type { X509Certificate } from 'node:crypto';
import { certificateThumbprint } from '@org/auth-core/protocol';
import { AuthConfigError } from '../errors.js';

/** Members of a token's `cnf` (confirmation) claim (RFC 7800 §3.1) that receivers check. */
export interface Confirmation {
  /** SHA-256 thumbprint of the client certificate the token is bound to (RFC 8705 §3.1). */
  readonly 'x5t#S256'?: string;
  /** SHA-256 thumbprint of the DPoP public key the token is bound to (RFC 9449 §6.1). */
  readonly jkt?: string;
}

// Both members are unpadded base64url SHA-256 digests: 32 bytes, 43 characters.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Builds the `cnf` claim from the `certificate` and `confirmation` options, or `undefined` when
 * neither is set.
 * @throws {AuthConfigError}
 */
export function compileConfirmation(
  certificate: string | X509Certificate | undefined,
  confirmation: Confirmation | undefined,
  claims: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (certificate === undefined && confirmation === undefined) return undefined;
  if (claims !== undefined && Object.hasOwn(claims, 'cnf')) {
    throw new AuthConfigError(
      'claims.cnf',
      'cannot be combined with certificate or confirmation, which set cnf; remove claims.cnf',
    );
  }
  const cnf: Record<string, string> = {};
  if (confirmation !== undefined) {
    if (typeof confirmation !== 'object' || confirmation === null || Array.isArray(confirmation)) {
      throw new AuthConfigError('confirmation', "expected an object such as { 'x5t#S256': '<thumbprint>' }");
    }
    const entries = Object.entries(confirmation);
    if (entries.length === 0) throw new AuthConfigError('confirmation', 'give x5t#S256, jkt or both');
    for (const [name, value] of entries) {
      if (name !== 'x5t#S256' && name !== 'jkt') {
        throw new AuthConfigError(`confirmation.${name}`, 'unknown member; known members are x5t#S256, jkt');
      }
      if (typeof value !== 'string' || !THUMBPRINT.test(value)) {
        throw new AuthConfigError(
          `confirmation.${name}`,
          'expected a SHA-256 thumbprint: 43 base64url characters without padding',
        );
      }
      cnf[name] = value;
    }
  }
  if (certificate !== undefined) {
    const thumbprint = thumbprintOf(certificate);
    if (cnf['x5t#S256'] !== undefined && cnf['x5t#S256'] !== thumbprint) {
      throw new AuthConfigError(
        'confirmation.x5t#S256',
        'differs from the thumbprint of certificate; give one of the two',
      );
    }
    cnf['x5t#S256'] = thumbprint;
  }
  return Object.freeze(cnf);
}

/** The RFC 8705 §3.1 thumbprint: SHA-256 of the DER certificate, base64url without padding. */
function thumbprintOf(certificate: string | X509Certificate): string {
  try {
    return certificateThumbprint(certificate);
  } catch {
    throw new AuthConfigError(
      'certificate',
      'expected the client certificate of this service: PEM or an X509Certificate',
    );
  }
}
