import { createHash, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, type JWK, SignJWT } from 'jose';
import type { RequestLike } from '../../src/index.js';

/** A client's DPoP key pair, with its public JWK and RFC 7638 thumbprint (computed by jose). */
export interface ProofKey {
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
  readonly jkt: string;
}

/** Generates a DPoP key for `alg` (ES256 by default). */
export async function createProofKey(
  alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256' | 'ES384' = 'ES256',
): Promise<ProofKey> {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : alg === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** Options of {@link createProof}: the claims and header of a valid proof, each overridable. */
export interface ProofOptions {
  readonly method?: string;
  readonly url?: string;
  /** The access token `ath` is computed from; `undefined` claims can be removed with `claims`. */
  readonly accessToken?: string;
  /** `iat` in seconds. */
  readonly iat: number;
  readonly nonce?: string;
  /** Merged over the claims; a value of `undefined` removes that claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Merged over the header; a value of `undefined` removes that parameter. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Sign with another key than the one in the `jwk` header. */
  readonly signingKey?: KeyObject;
}

/** base64url(SHA-256(token)): the `ath` claim (RFC 9449 §4.2). */
export function ath(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Signs a DPoP proof with jose, the reference implementation. */
export async function createProof(key: ProofKey, options: ProofOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: options.method ?? 'GET',
    htu: options.url ?? 'https://payments.internal/orders/42',
    iat: options.iat,
    ...(options.accessToken === undefined ? {} : { ath: ath(options.accessToken) }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.claims,
  };
  const header: Record<string, unknown> = {
    typ: 'dpop+jwt',
    alg: key.alg,
    jwk: key.publicJwk,
    ...options.header,
  };
  for (const bag of [claims, header]) {
    for (const [name, value] of Object.entries(bag)) if (value === undefined) delete bag[name];
  }
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(options.signingKey ?? key.privateKey);
}

/** Options of {@link dpopRequest}. */
export interface RequestOptions {
  readonly method?: string;
  /** The request target. Default `/orders/42?page=2`. */
  readonly url?: string;
  readonly host?: string;
  readonly encrypted?: boolean;
  /** `Authorization` scheme. Default `DPoP`. */
  readonly scheme?: string;
  /** DPoP header values: none, one or several. */
  readonly proofs?: readonly string[];
}

/** A request as Node would parse it: `Authorization: <scheme> <token>`, `DPoP` header(s), Host. */
export function dpopRequest(
  token: string | undefined,
  proof: string | undefined,
  options: RequestOptions = {},
): RequestLike {
  const raw: string[] = ['Host', options.host ?? 'payments.internal'];
  if (token !== undefined) raw.push('Authorization', `${options.scheme ?? 'DPoP'} ${token}`);
  for (const value of options.proofs ?? (proof === undefined ? [] : [proof])) raw.push('DPoP', value);
  const headers: Record<string, string> = {};
  for (let at = 0; at < raw.length; at += 2) {
    const name = (raw[at] as string).toLowerCase();
    const value = raw[at + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return {
    method: options.method ?? 'GET',
    url: options.url ?? '/orders/42?page=2',
    headers,
    rawHeaders: raw,
    socket: { encrypted: options.encrypted ?? true },
  };
}
