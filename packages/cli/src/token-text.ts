/** A token as pasted, taken apart. */
export interface TokenText {
  /** The credential itself. */
  readonly token: string;
  /** The authentication scheme pasted in front of it (`Bearer`, `DPoP`, ...), if any. */
  readonly scheme: string | undefined;
}

// An auth-scheme (RFC 9110 §11.1) such as Bearer, DPoP or HMAC-SHA256, then one credential. No
// dots in the scheme, so that a JWT followed by stray text is never taken for one.
const SCHEME_AND_CREDENTIAL = /^([A-Za-z][A-Za-z0-9-]*)\s+(\S+)$/;

/**
 * Reads a token pasted the way it travels: trimmed, without an `Authorization:` header name and
 * without the scheme in front of the credential (`Bearer eyJ...` → `eyJ...`).
 *
 * @example parseTokenText('Authorization: Bearer eyJ...') // { token: 'eyJ...', scheme: 'Bearer' }
 */
export function parseTokenText(text: string): TokenText {
  const value = text.trim().replace(/^authorization:\s*/i, '');
  const match = SCHEME_AND_CREDENTIAL.exec(value);
  if (match?.[1] === undefined || match[2] === undefined) return { token: value, scheme: undefined };
  return { token: match[2], scheme: match[1] };
}
