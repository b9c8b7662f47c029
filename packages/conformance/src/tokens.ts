import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** One signing key of a test issuer. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey | Uint8Array;
  /** The public JWK, with `kid`, `alg` and `use`. */
  readonly jwk: JWK;
}

/** Generates a key pair and its public JWK. */
export async function createSigningKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** Claims to mint; `undefined` removes a default claim. */
export type ClaimPatch = Record<string, unknown>;

export interface MintOptions {
  readonly key: SigningKey;
  readonly issuer: string;
  readonly claims?: ClaimPatch;
  /** Protected header fields on top of `{ alg, kid }`. */
  readonly header?: Record<string, unknown>;
}

export const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Mints a service token for `payments` from caller `orders`, valid for five minutes, with a fresh
 * `jti`; `claims` patches it (`{ source: undefined }` makes it a user token).
 */
export async function mint({ key, issuer, claims = {}, header = {} }: MintOptions): Promise<string> {
  const issuedAt = now();
  const payload: Record<string, unknown> = {
    iss: issuer,
    sub: 'orders',
    aud: 'payments',
    source: 'microservice',
    iat: issuedAt,
    exp: issuedAt + 300,
    jti: randomUUID(),
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

/** An unsecured JWT (RFC 7519 §6): `alg: none` and an empty signature. */
export function unsecured(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

/** The same token with one signature character changed. */
export function tamperSignature(token: string): string {
  const at = token.lastIndexOf('.') + 10;
  const swapped = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${swapped}${token.slice(at + 1)}`;
}
