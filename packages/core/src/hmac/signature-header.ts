import { AuthError } from '../errors.js';
import { HMAC_SCHEME } from './canonical-request.js';
import { isHmacKeyId, isSignedHeaderName } from './hmac-credentials.js';

/** The parameters of `Authorization: HMAC-SHA256 ...`. */
export interface SignatureParams {
  readonly keyId: string;
  readonly timestamp: string;
  readonly nonce: string;
  /** Lower-case header names. */
  readonly signedHeaders: readonly string[];
  readonly bodyHash: string;
  readonly signature: string;
}

const NAMES = ['keyId', 'timestamp', 'nonce', 'signedHeaders', 'bodyHash', 'signature'] as const;
const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
// 32 bytes in unpadded base64url: 43 characters, the last one carrying 4 zero bits.
const SHA256_B64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const PARAM = /^\s*([A-Za-z]+)="([^"\\]*)"\s*(?:,|$)/;

function malformed(description: string): AuthError {
  return new AuthError('malformed_request', { description, scheme: HMAC_SCHEME });
}

/**
 * Parses the credentials of `Authorization: HMAC-SHA256 keyId="...", timestamp="...", ...`
 * (after the scheme). Every parameter is required, quoted, and given once; nothing else is allowed.
 *
 * @throws {AuthError} `malformed_request` naming what is wrong
 */
export function parseSignatureParams(credentials: string): SignatureParams {
  const found = new Map<string, string>();
  let rest = credentials;
  while (rest.trim() !== '') {
    const match = PARAM.exec(rest);
    if (match === null) throw malformed('malformed request signature');
    const [whole, name = '', value = ''] = match;
    if (!(NAMES as readonly string[]).includes(name)) throw malformed(`unknown signature parameter ${name}`);
    if (found.has(name)) throw malformed(`signature parameter ${name} given twice`);
    found.set(name, value);
    rest = rest.slice(whole.length);
  }
  for (const name of NAMES) {
    if (!found.has(name)) throw malformed(`signature parameter ${name} missing`);
  }
  const params = Object.fromEntries(found) as Record<(typeof NAMES)[number], string>;
  if (!isHmacKeyId(params.keyId)) throw malformed('invalid keyId');
  if (!TIMESTAMP.test(params.timestamp)) throw malformed('timestamp must be seconds since the epoch');
  if (!NONCE.test(params.nonce)) throw malformed('nonce must be 16 to 128 base64url characters');
  if (!SHA256_B64URL.test(params.bodyHash)) throw malformed('bodyHash must be a base64url SHA-256');
  if (!SHA256_B64URL.test(params.signature)) throw malformed('signature must be a base64url HMAC-SHA256');
  const signedHeaders = params.signedHeaders === '' ? [] : params.signedHeaders.split(';');
  if (signedHeaders.some((name) => !isSignedHeaderName(name))) {
    throw malformed('signedHeaders must be lower-case header names separated by ";"');
  }
  if (new Set(signedHeaders).size !== signedHeaders.length) throw malformed('a header is signed twice');
  return { ...params, signedHeaders };
}

/** Formats the `Authorization` value of a signed request. */
export function formatSignatureHeader(params: SignatureParams): string {
  return (
    `${HMAC_SCHEME} keyId="${params.keyId}", timestamp="${params.timestamp}", nonce="${params.nonce}", ` +
    `signedHeaders="${params.signedHeaders.join(';')}", bodyHash="${params.bodyHash}", signature="${params.signature}"`
  );
}
