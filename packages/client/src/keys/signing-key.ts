import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair as generateNodeKeyPair,
  type JsonWebKey,
  KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { optionKeys } from '@org/auth-core/adapter';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { AuthConfigError } from '../errors.js';
import { checkOptions } from '../lib/options.js';

const generate = promisify(generateNodeKeyPair);

/** Asymmetric signing algorithms. `ES256` is the default; `EdDSA` uses Ed25519. */
export type AsymmetricAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'RS256' | 'PS256';

/** Every signing algorithm; `HS256` only when asked for explicitly. */
export type SigningAlgorithm = AsymmetricAlgorithm | 'HS256';

/** A key that signs tokens: its `kid`, algorithm, private (or secret) key and public JWK. */
export interface SigningKey {
  /** Key id, written to the `kid` header. Always set for asymmetric keys; optional for HS256. */
  readonly kid: string;
  /** JWS algorithm. */
  readonly alg: SigningAlgorithm;
  /** The private key, or the secret for HS256. Never log it. */
  readonly privateKey: KeyObject;
  /** Public JWK with `kid`, `alg` and `use: "sig"`; `undefined` for HS256 (nothing to publish). */
  readonly publicJwk: JWK | undefined;
}

/** What {@link importSigningKey} accepts: PEM (PKCS#8, SEC1 or PKCS#1), a private JWK or a `KeyObject`. */
export type PrivateKeyMaterial = string | KeyObject | Readonly<Record<string, unknown>>;

/** Options of {@link importSigningKey} and the loaders. */
export interface ImportSigningKeyOptions {
  /** Algorithm. Default: from the JWK's `alg`, else from the key type (EC curve → ES*, Ed25519 → EdDSA, RSA → RS256). */
  readonly alg?: SigningAlgorithm;
  /**
   * Key id. Default: the JWK's `kid`, else the RFC 7638 thumbprint of the public key. For HS256
   * the default is none (an empty `kid`, and no `kid` header).
   */
  readonly kid?: string;
}

const IMPORT_OPTIONS = optionKeys<ImportSigningKeyOptions>({ alg: true, kid: true });
const ENV_OPTIONS = optionKeys<ImportSigningKeyOptions & { readonly env?: unknown }>({
  alg: true,
  kid: true,
  env: true,
});

const ASYMMETRIC = new Set<string>(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256']);

function algorithmOf(key: KeyObject): AsymmetricAlgorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
      if (curve === 'secp384r1' || curve === 'P-384') return 'ES384';
      if (curve === 'secp521r1' || curve === 'P-521') return 'ES512';
      return undefined;
    }
    case 'ed25519':
      return 'EdDSA';
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      return 'PS256';
    default:
      return undefined;
  }
}

function compatible(alg: AsymmetricAlgorithm, key: KeyObject): boolean {
  const natural = algorithmOf(key);
  if (natural === undefined) return false;
  if (natural === 'RS256') return alg === 'RS256' || alg === 'PS256';
  return natural === alg;
}

/**
 * Imports a private key (or, with `alg: 'HS256'`, a secret of at least 32 bytes) for signing.
 *
 * @throws {AuthConfigError} for unknown options, or when the material is not a usable private key
 *   for the algorithm
 * @example
 * ```ts
 * const key = await importSigningKey(pemString, { kid: 'billing-2026-01' });
 * ```
 */
export async function importSigningKey(
  material: PrivateKeyMaterial | Uint8Array,
  options: ImportSigningKeyOptions = {},
): Promise<SigningKey> {
  checkOptions(undefined, options, IMPORT_OPTIONS);
  if (options.alg === 'HS256') {
    const secret =
      typeof material === 'string' || material instanceof Uint8Array
        ? createSecretKey(typeof material === 'string' ? Buffer.from(material, 'utf8') : material)
        : isKeyObject(material)
          ? material
          : undefined;
    if (secret?.type !== 'secret') {
      throw new AuthConfigError('key', 'HS256 needs a secret: a string, bytes or a secret KeyObject');
    }
    if ((secret.symmetricKeySize ?? 0) < 32) {
      throw new AuthConfigError('key', 'an HS256 secret must be at least 32 bytes (RFC 7518 §3.2)');
    }
    // Without a kid the header carries none: receivers configured with a bare secret match no kid.
    return { kid: options.kid ?? '', alg: 'HS256', privateKey: secret, publicJwk: undefined };
  }
  if (options.alg !== undefined && !ASYMMETRIC.has(options.alg)) {
    throw new AuthConfigError('alg', `unsupported algorithm ${JSON.stringify(options.alg)}`);
  }
  let privateKey: KeyObject;
  let jwkKid: string | undefined;
  let jwkAlg: string | undefined;
  try {
    if (isKeyObject(material)) {
      privateKey = material;
    } else if (typeof material === 'string') {
      privateKey = createPrivateKey(material);
    } else if (material instanceof Uint8Array) {
      privateKey = createPrivateKey({ key: Buffer.from(material), format: 'der', type: 'pkcs8' });
    } else {
      const jwk = material as JWK;
      jwkKid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
      jwkAlg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
      privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    }
  } catch (error) {
    throw Object.assign(
      new AuthConfigError('key', 'not a valid private key (expected PEM, private JWK or KeyObject)'),
      { cause: error },
    );
  }
  if (privateKey.type !== 'private') {
    throw new AuthConfigError('key', `expected a private key, got a ${privateKey.type} key`);
  }
  const alg = (options.alg ?? jwkAlg ?? algorithmOf(privateKey)) as AsymmetricAlgorithm | undefined;
  if (alg === undefined || !ASYMMETRIC.has(alg) || !compatible(alg, privateKey)) {
    throw new AuthConfigError(
      'alg',
      `the key (${privateKey.asymmetricKeyType}) cannot sign with ${alg ?? 'a supported algorithm'}`,
    );
  }
  const publicJwk = await exportJWK(createPublicKey(privateKey));
  const kid = options.kid ?? jwkKid ?? (await calculateJwkThumbprint(publicJwk));
  return { kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}

/** Options of {@link generateSigningKey}. */
export interface GenerateSigningKeyOptions {
  /** Algorithm. Default `'ES256'`. */
  readonly alg?: AsymmetricAlgorithm;
  /** Key id. Default: the RFC 7638 thumbprint of the public key. */
  readonly kid?: string;
}

const GENERATE_OPTIONS = optionKeys<GenerateSigningKeyOptions>({ alg: true, kid: true });

/**
 * Generates a new asymmetric signing key.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey({ alg: 'EdDSA' });
 * ```
 */
export async function generateSigningKey(options: GenerateSigningKeyOptions = {}): Promise<SigningKey> {
  checkOptions(undefined, options, GENERATE_OPTIONS);
  const alg = options.alg ?? 'ES256';
  let pair: { privateKey: KeyObject };
  switch (alg) {
    case 'ES256':
      pair = await generate('ec', { namedCurve: 'P-256' });
      break;
    case 'ES384':
      pair = await generate('ec', { namedCurve: 'P-384' });
      break;
    case 'ES512':
      pair = await generate('ec', { namedCurve: 'P-521' });
      break;
    case 'EdDSA':
      pair = await generate('ed25519');
      break;
    case 'RS256':
    case 'PS256':
      pair = await generate('rsa', { modulusLength: 2048 });
      break;
    default:
      throw new AuthConfigError('alg', `unsupported algorithm ${JSON.stringify(alg)}`);
  }
  return importSigningKey(pair.privateKey, {
    alg,
    ...(options.kid === undefined ? {} : { kid: options.kid }),
  });
}

/**
 * Loads a private key from a PEM or JWK (JSON) file.
 *
 * @example
 * ```ts
 * const key = await loadSigningKeyFromFile('/run/secrets/billing-key.pem');
 * ```
 */
export async function loadSigningKeyFromFile(
  path: string | URL,
  options: ImportSigningKeyOptions = {},
): Promise<SigningKey> {
  checkOptions(undefined, options, IMPORT_OPTIONS);
  const text = await readFile(path, 'utf8');
  return importSigningKey(parseKeyText(text, 'path'), options);
}

/**
 * Loads a private key (PEM, or a JWK as JSON) from the environment variable **named** by the
 * caller. The library never reads the environment by itself.
 *
 * @param name - the variable's name, e.g. `'SERVICE_PRIVATE_KEY'`
 * @param env - where to look. Default `process.env`.
 * @throws {AuthConfigError} naming the variable when it is unset or not a key
 * @example
 * ```ts
 * const key = await loadSigningKeyFromEnv('BILLING_PRIVATE_KEY');
 * ```
 */
export async function loadSigningKeyFromEnv(
  name: string,
  options: ImportSigningKeyOptions & { readonly env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<SigningKey> {
  checkOptions(undefined, options, ENV_OPTIONS);
  const { env = process.env, ...importOptions } = options;
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new AuthConfigError(name, 'environment variable is not set');
  }
  // Deployment tools often flatten PEM newlines to "\n".
  const text = value.includes('\\n') && value.includes('-----BEGIN') ? value.replaceAll('\\n', '\n') : value;
  return importSigningKey(parseKeyText(text, name), importOptions);
}

function parseKeyText(text: string, option: string): PrivateKeyMaterial {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    return JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    throw new AuthConfigError(option, 'looks like JSON but does not parse as a JWK');
  }
}

/**
 * Exports a signing key's private key as PKCS#8 PEM, e.g. to store a generated key.
 *
 * @example
 * ```ts
 * await writeFile('key.pem', exportPrivateKeyPem(await generateSigningKey()), { mode: 0o600 });
 * ```
 */
export function exportPrivateKeyPem(key: SigningKey): string {
  if (key.privateKey.type !== 'private') throw new AuthConfigError('key', 'not an asymmetric key');
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}
