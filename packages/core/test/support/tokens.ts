import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { SignJWT } from 'jose';

/** Start of the frozen test clock, in milliseconds since the epoch (2030-01-01T12:00:00Z). */
export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
/** Default `iss` of minted tokens. */
export const ISSUER = 'https://orders.internal';
/** Default `aud` of minted tokens, and the audience test verifiers answer to. */
export const AUDIENCE = 'payments';

/** Algorithms {@link createIssuerKeys} can make key pairs for. */
export type AsymmetricAlg =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/** A signing key pair of one issuer, with its public half in every form a verifier accepts. */
export interface IssuerKeys {
  readonly alg: AsymmetricAlg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public JWK with `kid`, `alg` and `use: 'sig'`, as a JWKS endpoint publishes it. */
  readonly publicJwk: Readonly<Record<string, unknown>>;
  /** Public key as SPKI PEM. */
  readonly publicPem: string;
}

/** Options of {@link createIssuerKeys}. */
export interface IssuerKeyOptions {
  /** Default: `<alg lowercase>-<random>`. */
  readonly kid?: string;
  /** RSA modulus length in bits. Default 2048. */
  readonly modulusLength?: number;
}

function generate(
  alg: AsymmetricAlg,
  modulusLength: number,
): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
    case 'PS256':
    case 'PS384':
    case 'PS512':
      return generateKeyPairSync('rsa', { modulusLength });
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'ES512':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' });
    case 'EdDSA':
    case 'Ed25519':
      return generateKeyPairSync('ed25519');
  }
}

/**
 * Generates a key pair for `alg`.
 *
 * @example
 * ```ts
 * const keys = createIssuerKeys('ES256');
 * server.setKeys([keys.publicJwk]);
 * const token = await mintToken({ key: keys });
 * ```
 */
export function createIssuerKeys(alg: AsymmetricAlg, options: IssuerKeyOptions = {}): IssuerKeys {
  const { privateKey, publicKey } = generate(alg, options.modulusLength ?? 2048);
  const kid = options.kid ?? `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  return {
    alg,
    kid,
    privateKey,
    publicKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A random shared secret for HS256 (32 bytes unless told). */
export function createSecret(bytes = 32): Uint8Array {
  return new Uint8Array(randomBytes(bytes));
}

/** Options of {@link mintToken}. */
export interface MintOptions {
  /** Issuer keys (alg and kid default from them), or a raw private `KeyObject` / HMAC secret. */
  readonly key: IssuerKeys | KeyObject | Uint8Array;
  /** Default: the issuer keys' alg; required with a raw key. */
  readonly alg?: string;
  /** `kid` header; default: the issuer keys' kid. `false` leaves the header without `kid`. */
  readonly kid?: string | false;
  /** Merged over the default claims; a value of `undefined` removes that claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Extra protected header parameters. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Clock in milliseconds. Default {@link T0}. */
  readonly now?: number;
}

function isIssuerKeys(key: MintOptions['key']): key is IssuerKeys {
  return typeof key === 'object' && 'privateKey' in key && 'publicJwk' in key;
}

/**
 * The claims a well-formed service token carries at `now` (ms): iss, sub, aud, iat, nbf,
 * exp 5 minutes ahead, a fresh jti and the service marker.
 */
export function defaultClaims(now = T0): Record<string, unknown> {
  const seconds = Math.floor(now / 1000);
  return {
    iss: ISSUER,
    sub: 'orders',
    aud: AUDIENCE,
    iat: seconds,
    nbf: seconds,
    exp: seconds + 300,
    jti: randomUUID(),
    source: 'microservice',
  };
}

/**
 * Signs a JWT with jose. Every call gets a fresh `jti`, so two minted tokens are never the same
 * string (and never share a verified-token cache entry).
 */
export async function mintToken(options: MintOptions): Promise<string> {
  const { key } = options;
  const alg = options.alg ?? (isIssuerKeys(key) ? key.alg : undefined);
  if (alg === undefined) throw new TypeError('mintToken: alg is required with a raw key');
  const kid = options.kid ?? (isIssuerKeys(key) ? key.kid : false);
  const payload = { ...defaultClaims(options.now), ...options.claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg, ...(kid === false ? {} : { kid }), ...options.header })
    .sign(isIssuerKeys(key) ? key.privateKey : key);
}

/** A compact JWS with any header and an empty or given signature, for tokens jose refuses to make. */
export function unsignedToken(
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>> = defaultClaims(),
  signature = '',
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(claims)}.${signature}`;
}

/**
 * Signs an RS256/RS384/RS512 token with node:crypto, for keys jose refuses to sign with (RSA
 * under 2048 bits), so tests can show the verifier refuses them too.
 */
export function rsaSignedToken(options: {
  readonly privateKey: KeyObject;
  readonly alg?: 'RS256' | 'RS384' | 'RS512';
  readonly kid?: string;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly now?: number;
}): string {
  const alg = options.alg ?? 'RS256';
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = { alg, ...(options.kid === undefined ? {} : { kid: options.kid }) };
  const input = `${encode(header)}.${encode({ ...defaultClaims(options.now), ...options.claims })}`;
  const signature = sign(`sha${alg.slice(2)}`, Buffer.from(input), options.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}
