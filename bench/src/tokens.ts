import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { type Alg, AUDIENCE, base64url, CALLER, ISSUER, type PublicKeyFile } from './shared.js';

export interface SigningKey {
  readonly alg: Alg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function generateSigningKey(alg: Alg): SigningKey {
  const kid = `bench-${alg.toLowerCase()}`;
  if (alg === 'RS256') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { alg, kid, privateKey, publicKey };
  }
  if (alg === 'ES256') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { alg, kid, privateKey, publicKey };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { alg, kid, privateKey, publicKey };
}

export function publicKeyFile(key: SigningKey): PublicKeyFile {
  const jwk = key.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  return {
    alg: key.alg,
    kid: key.kid,
    jwk: { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' },
    pem: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Signs a compact JWS with node:crypto directly (minting is not what is measured). */
export function signJws(key: SigningKey, payload: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT' }));
  const input = `${header}.${base64url(JSON.stringify(payload))}`;
  const data = Buffer.from(input);
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', data, key.privateKey)
      : key.alg === 'ES256'
        ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
        : sign(null, data, key.privateKey);
  return `${input}.${base64url(signature)}`;
}

/** The same, signed on libuv's thread pool (to mint large pools on every core). */
export function signJwsAsync(key: SigningKey, payload: Record<string, unknown>): Promise<string> {
  const header = base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT' }));
  const input = `${header}.${base64url(JSON.stringify(payload))}`;
  const data = Buffer.from(input);
  const algorithm = key.alg === 'EdDSA' ? null : 'sha256';
  const privateKey =
    key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;
  return new Promise((resolve, reject) =>
    sign(algorithm, data, privateKey, (error, signature) =>
      error ? reject(error) : resolve(`${input}.${base64url(signature)}`),
    ),
  );
}

/** A service token as a calling service would send it: one audience, short-lived, a unique `jti`. */
export function serviceClaims(lifetimeSeconds: number): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    sub: CALLER,
    aud: AUDIENCE,
    iat: now,
    exp: now + lifetimeSeconds,
    jti: randomBytes(12).toString('base64url'),
    source: 'microservice',
    permissions: ['bench:read'],
  };
}

/** The same token with one signature character changed: must be refused. */
export function tamper(token: string): string {
  const at = token.length - 10;
  const replacement = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
}
