import { readFile } from 'node:fs/promises';
import type { IssuerOptions } from '@org/auth-core';
import { UsageError } from './command-spec.js';

/** The keys of `inspect --jwks <file>`, as an issuer of the core's verifier. */
export interface KeyFile {
  readonly issuer: IssuerOptions;
  /** Whether the file held a JWKS (or one JWK) or PEM public keys and certificates. */
  readonly format: 'jwks' | 'pem';
  /** The `kid` of every key of a JWKS (`?` for a key without one); PEM keys have none. */
  readonly kids: readonly string[] | undefined;
}

const EXPECTED =
  'expected a JWKS ({"keys": [...]}, as keygen writes), a JWK, or a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate';

// A PEM block (RFC 7468 §2): its label and the whole block, armour included.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE']);

/**
 * Reads the file given as `--jwks`: a JWKS, a single JWK, or one or more PEM public keys (SPKI,
 * PKCS#1 RSA) or certificates. The keys are imported by the core's verifier (`jwks` or
 * `publicKey`), exactly as a service configured with the same material would import them.
 *
 * @throws {UsageError} when the file cannot be read, holds a private key or holds none of these
 */
export async function readKeyFile(path: string, issuer: string): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --jwks ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (text.includes('-----BEGIN ')) return readPem(path, text, issuer);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UsageError(`--jwks ${path} is neither JSON nor PEM: ${EXPECTED}`);
  }
  const fields = (typeof document === 'object' && document !== null ? document : {}) as Record<
    string,
    unknown
  >;
  const keys = Array.isArray(fields.keys)
    ? (fields.keys as Record<string, unknown>[])
    : typeof fields.kty === 'string'
      ? [fields]
      : undefined;
  if (keys === undefined) throw new UsageError(`--jwks ${path} is not a JWKS (no "keys" array): ${EXPECTED}`);
  return {
    issuer: { issuer, jwks: { keys } },
    format: 'jwks',
    kids: keys.map((key) => String(key.kid ?? '?')),
  };
}

function readPem(path: string, text: string, issuer: string): KeyFile {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.some(([, label]) => label?.endsWith('PRIVATE KEY'))) {
    throw new UsageError(
      `--jwks ${path} holds a private key; give the public key instead (the jwks.json that keygen wrote, or: openssl pkey -in ${path} -pubout)`,
    );
  }
  const keys = blocks.filter(([, label]) => PUBLIC_LABELS.has(label ?? '')).map(([block]) => block);
  if (keys.length === 0) {
    const found = blocks.map(([, label]) => label).join(', ') || 'no complete PEM block';
    throw new UsageError(`--jwks ${path} has no public key or certificate (found ${found}): ${EXPECTED}`);
  }
  return {
    issuer: { issuer, publicKey: keys.length === 1 ? (keys[0] as string) : keys },
    format: 'pem',
    kids: undefined,
  };
}
