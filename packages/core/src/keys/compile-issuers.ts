import type { KeyObject } from 'node:crypto';
import { AuthConfigError } from '../errors.js';
import type { AuthEventListener } from '../events.js';
import { describe, toSeconds } from '../lib/duration.js';
import { assertKnownKeys, flag, nonEmptyString, optionalFunction, optionKeys } from '../lib/option-checks.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, HMAC_MIN_SECRET_BYTES, isAlgorithm } from './algorithms.js';
import type {
  DiscoveryIssuer,
  IssuerOptions,
  JwksUriIssuer,
  PublicKeyIssuer,
  RemoteKeyOptions,
  SecretIssuer,
  StaticJwksIssuer,
} from './issuer-options.js';
import {
  createKeyEntry,
  importPublicKey,
  importSecret,
  type KeyEntry,
  type KeyMaterial,
} from './key-entry.js';
import { duplicateKidReason, findAmbiguousKids } from './key-set.js';
import type { KeySource } from './key-source.js';
import { isAllowedUrl, RemoteKeySource } from './remote-key-source.js';
import type { SignatureVerification } from './signature-verification.js';
import { StaticKeySource } from './static-key-source.js';

/** A trusted issuer, ready for the hot path: its name, algorithm allow-list and key source. */
export interface CompiledIssuer {
  readonly issuer: string;
  readonly algorithms: ReadonlySet<string>;
  readonly keys: KeySource;
}

/** The verifier options that say where keys come from. */
export interface KeyOptions {
  /** The trusted issuers; a token's `iss` picks its issuer and so its keys. */
  readonly issuers: IssuerOptions | readonly IssuerOptions[];
  /** Default remote JWKS settings for every remote issuer. */
  readonly remoteKeys?: RemoteKeyOptions;
  /** `fetch` used for JWKS and metadata. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * Where signatures are checked: on the event loop, or on libuv's thread pool while fresh
   * verifications overlap or the event loop is busy. Default
   * `{ offloadWhenInFlight: 2, offloadWhenLoopBusy: 0.7 }`; see {@link SignatureVerification}.
   */
  readonly signatureVerification?: SignatureVerification;
}

/** The remote JWKS settings, allowed both in `remoteKeys` and on each remote issuer. */
const REMOTE_FIELDS = {
  cacheMaxAge: true,
  cooldown: true,
  unknownKidInterval: true,
  unknownKidFetchesPerMinute: true,
  timeout: true,
  maxStale: true,
  maxResponseBytes: true,
  maxKeys: true,
  backgroundRefresh: true,
  allowInsecureHttp: true,
  fetch: true,
} as const satisfies Record<keyof RemoteKeyOptions, true>;
const REMOTE_OPTIONS = optionKeys<RemoteKeyOptions>(REMOTE_FIELDS);
type AnyIssuer = JwksUriIssuer & DiscoveryIssuer & StaticJwksIssuer & PublicKeyIssuer & SecretIssuer;
const ISSUER_OPTIONS = optionKeys<AnyIssuer>({
  issuer: true,
  algorithms: true,
  jwksUri: true,
  discovery: true,
  jwks: true,
  publicKey: true,
  secret: true,
  ...REMOTE_FIELDS,
});

/** What compiling an issuer needs besides its own options. */
export interface IssuerContext {
  readonly now: () => number;
  readonly emit: AuthEventListener;
}

/**
 * Validates the `issuers`, `remoteKeys` and `fetch` options and builds one key source per issuer.
 *
 * @throws {AuthConfigError} naming the option and saying what to change
 */
export function compileIssuers(
  options: KeyOptions,
  settings: IssuerContext,
): ReadonlyMap<string, CompiledIssuer> {
  const fetchImpl = optionalFunction('fetch', options.fetch) ?? globalThis.fetch;
  const remoteDefaults = options.remoteKeys ?? {};
  assertKnownKeys('remoteKeys', remoteDefaults, REMOTE_OPTIONS);
  const list = (Array.isArray(options.issuers) ? options.issuers : [options.issuers]) as IssuerOptions[];
  if (options.issuers === undefined || list.length === 0) {
    throw new AuthConfigError(
      'issuers',
      'trust at least one issuer, e.g. { issuer: "https://auth.internal", jwksUri: "https://auth.internal/.well-known/jwks.json" }',
    );
  }
  const context: CompileContext = { ...settings, remoteDefaults, fetchImpl };
  const issuers = new Map<string, CompiledIssuer>();
  list.forEach((issuer, index) => {
    const compiled = compileIssuer(`issuers[${index}]`, issuer, context);
    if (issuers.has(compiled.issuer)) {
      throw new AuthConfigError(
        `issuers[${index}].issuer`,
        `"${compiled.issuer}" is listed twice; give each issuer one key source`,
      );
    }
    issuers.set(compiled.issuer, compiled);
  });
  return issuers;
}

interface CompileContext extends IssuerContext {
  readonly remoteDefaults: RemoteKeyOptions;
  readonly fetchImpl: typeof globalThis.fetch;
}

/**
 * Compiles a static key source (`jwks`, `publicKey` or `secret`, with `algorithms`) exactly as
 * {@link compileIssuers} compiles an issuer's, for `verifyCompactJws`.
 *
 * @throws {AuthConfigError}
 */
export function compileStaticKeys(option: string, options: IssuerOptions): CompiledIssuer {
  const sources = ['jwksUri', 'discovery'].filter(
    (name) => (options as unknown as Record<string, unknown>)[name] !== undefined,
  );
  if (sources.length > 0) {
    throw new AuthConfigError(`${option}.${sources[0]}`, 'expected static keys: jwks, publicKey or secret');
  }
  return compileIssuer(option, options, {
    remoteDefaults: {},
    fetchImpl: globalThis.fetch,
    now: Date.now,
    emit: () => {},
  });
}

function compileIssuer(option: string, options: IssuerOptions, context: CompileContext): CompiledIssuer {
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError(option, 'expected an object such as { issuer, jwksUri }');
  }
  assertKnownKeys(option, options, ISSUER_OPTIONS);
  const { issuer } = options;
  if (!nonEmptyString(issuer)) {
    throw new AuthConfigError(
      `${option}.issuer`,
      'expected the exact iss value of this issuer, such as "https://auth.internal"',
    );
  }
  const sources = ['jwksUri', 'discovery', 'jwks', 'publicKey', 'secret'].filter(
    (name) => (options as unknown as Record<string, unknown>)[name] !== undefined,
  );
  if (sources.length !== 1) {
    throw new AuthConfigError(
      option,
      `give exactly one key source: jwksUri, discovery, jwks, publicKey or secret (got ${sources.length === 0 ? 'none' : sources.join(', ')})`,
    );
  }
  const isSecret = 'secret' in options && options.secret !== undefined;
  const algorithms = compileAlgorithms(`${option}.algorithms`, options.algorithms, isSecret);
  if (!isSecret && sources[0] !== 'jwksUri' && sources[0] !== 'discovery') {
    for (const name of REMOTE_OPTIONS) {
      if ((options as unknown as Record<string, unknown>)[name] !== undefined) {
        throw new AuthConfigError(`${option}.${name}`, 'applies only to remote keys (jwksUri or discovery)');
      }
    }
  }

  let keys: KeySource;
  if ('jwksUri' in options && options.jwksUri !== undefined) {
    keys = remoteSource(
      option,
      issuer,
      parseUrl(
        `${option}.jwksUri`,
        options.jwksUri,
        options.allowInsecureHttp ?? context.remoteDefaults.allowInsecureHttp ?? false,
      ),
      options,
      algorithms,
      context,
    );
  } else if ('discovery' in options && options.discovery !== undefined) {
    if (options.discovery !== true) throw new AuthConfigError(`${option}.discovery`, 'expected true');
    parseUrl(
      `${option}.issuer`,
      issuer,
      options.allowInsecureHttp ?? context.remoteDefaults.allowInsecureHttp ?? false,
    );
    keys = remoteSource(option, issuer, undefined, options, algorithms, context);
  } else if ('jwks' in options && options.jwks !== undefined) {
    const jwks = options.jwks;
    if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0) {
      throw new AuthConfigError(`${option}.jwks`, 'expected a JWKS with at least one key: { keys: [ ... ] }');
    }
    keys = staticSource(
      issuer,
      `${option}.jwks.keys`,
      jwks.keys.map((jwk, index) => {
        const at = `${option}.jwks.keys[${index}]`;
        if (jwk.kid !== undefined && typeof jwk.kid !== 'string')
          throw new AuthConfigError(`${at}.kid`, 'expected a string');
        return staticEntry(
          at,
          () => importPublicKey(jwk),
          { kid: jwk.kid as string | undefined, alg: jwk.alg, use: jwk.use, keyOps: jwk.key_ops },
          algorithms,
        );
      }),
    );
  } else if ('publicKey' in options && options.publicKey !== undefined) {
    const list = (
      Array.isArray(options.publicKey) ? options.publicKey : [options.publicKey]
    ) as KeyMaterial[];
    keys = staticSource(
      issuer,
      `${option}.publicKey`,
      list.map((material, index) => {
        const at = Array.isArray(options.publicKey) ? `${option}.publicKey[${index}]` : `${option}.publicKey`;
        const jwk =
          typeof material === 'object' && !('type' in material) ? (material as Record<string, unknown>) : {};
        return staticEntry(
          at,
          () => importPublicKey(material),
          {
            kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
            alg: jwk.alg,
            use: jwk.use,
            keyOps: jwk.key_ops,
          },
          algorithms,
        );
      }),
    );
  } else {
    const secret = (options as { secret: string | Uint8Array | KeyObject }).secret;
    let key: KeyObject;
    try {
      key = importSecret(secret);
    } catch {
      throw new AuthConfigError(`${option}.secret`, 'expected a string, a Uint8Array or a secret KeyObject');
    }
    if (key.type !== 'secret')
      throw new AuthConfigError(
        `${option}.secret`,
        'expected a secret key, not an asymmetric one; use publicKey for those',
      );
    for (const alg of algorithms) {
      const min = HMAC_MIN_SECRET_BYTES[alg] ?? 32;
      if ((key.symmetricKeySize ?? 0) < min) {
        throw new AuthConfigError(
          `${option}.secret`,
          `${alg} needs a secret of at least ${min} bytes (RFC 7518 §3.2); generate one with crypto.randomBytes(${min})`,
        );
      }
    }
    keys = new StaticKeySource(issuer, [staticEntry(`${option}.secret`, () => key, {}, algorithms)]);
  }
  return { issuer, algorithms, keys };
}

function remoteSource(
  option: string,
  issuer: string,
  jwksUri: URL | undefined,
  options: RemoteKeyOptions,
  algorithms: ReadonlySet<string>,
  context: CompileContext,
): RemoteKeySource {
  const merged = { ...context.remoteDefaults, ...options };
  const ms = (name: keyof RemoteKeyOptions, fallback: string, allowZero = false) =>
    toSeconds(`${option}.${name}`, (merged[name] as string | number | undefined) ?? fallback, { allowZero }) *
    1000;
  const count = (
    name: 'maxResponseBytes' | 'maxKeys' | 'unknownKidFetchesPerMinute',
    fallback: number,
    max: number,
    min = 1,
  ) => {
    const value = merged[name] ?? fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new AuthConfigError(
        `${option}.${name}`,
        `expected a whole number from ${min} to ${max} (default ${fallback})`,
      );
    }
    return value;
  };
  return new RemoteKeySource({
    issuer,
    jwksUri,
    allowInsecureHttp: flag(`${option}.allowInsecureHttp`, merged.allowInsecureHttp),
    allowedAlgorithms: algorithms,
    cacheMaxAge: ms('cacheMaxAge', '10m'),
    cooldown: ms('cooldown', '30s', true),
    unknownKidInterval: ms('unknownKidInterval', '1s', true),
    unknownKidFetchesPerMinute: count('unknownKidFetchesPerMinute', 10, 600, 0),
    timeout: ms('timeout', '5s'),
    maxStale: ms('maxStale', '1h', true),
    maxResponseBytes: count('maxResponseBytes', 262_144, 16_777_216),
    maxKeys: count('maxKeys', 50, 1000),
    backgroundRefresh: flag(`${option}.backgroundRefresh`, merged.backgroundRefresh),
    fetch: optionalFunction(`${option}.fetch`, merged.fetch) ?? context.fetchImpl,
    now: context.now,
    random: Math.random,
    emit: context.emit,
  });
}

/**
 * A static key set, refused when one `kid` names two different keys (Wycheproof's DuplicateKid:
 * such a set is ambiguous; see `findAmbiguousKids`).
 */
function staticSource(issuer: string, option: string, entries: KeyEntry[]): StaticKeySource {
  const [found] = findAmbiguousKids(entries);
  if (found !== undefined) {
    const [first, second] = found.indexes;
    throw new AuthConfigError(
      `${option}[${second}].kid`,
      `${duplicateKidReason(found)} (${first} and ${second}); give each key its own kid`,
    );
  }
  return new StaticKeySource(issuer, entries);
}

function staticEntry(
  option: string,
  load: () => KeyObject,
  meta: { kid?: string | undefined; alg?: unknown; use?: unknown; keyOps?: unknown },
  allowed: ReadonlySet<string>,
): KeyEntry {
  let key: KeyObject;
  try {
    key = load();
  } catch (error) {
    const reason =
      error instanceof TypeError && /private key material|symmetric keys/.test(error.message)
        ? error.message
        : 'not a valid public key (expected PEM, JWK, KeyObject or CryptoKey)';
    throw new AuthConfigError(option, reason);
  }
  const entry = createKeyEntry(key, { ...meta, allowed });
  if (typeof entry === 'string')
    throw new AuthConfigError(option, `${entry}; allowed algorithms: ${[...allowed].join(', ')}`);
  return entry;
}

function compileAlgorithms(
  option: string,
  algorithms: readonly unknown[] | undefined,
  isSecret: boolean,
): ReadonlySet<string> {
  if (algorithms === undefined) {
    if (isSecret) {
      throw new AuthConfigError(
        option,
        "a shared secret needs an explicit list of HMAC algorithms, e.g. algorithms: ['HS256']",
      );
    }
    return new Set(ASYMMETRIC_ALGORITHMS);
  }
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new AuthConfigError(option, "expected a non-empty array such as ['ES256'] or ['RS256', 'PS256']");
  }
  for (const [index, alg] of algorithms.entries()) {
    if (!isAlgorithm(alg)) {
      throw new AuthConfigError(
        `${option}[${index}]`,
        `${describe(alg)} is not supported; choose from ${[...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS].join(', ')} ("none" is never accepted)`,
      );
    }
    const hmac = HMAC_ALGORITHMS.includes(alg);
    if (hmac !== isSecret) {
      throw new AuthConfigError(
        `${option}[${index}]`,
        hmac
          ? `${alg} needs a shared secret: use the secret key source, never a public key (algorithm confusion)`
          : `${alg} cannot be used with a shared secret; use HS256, HS384 or HS512`,
      );
    }
  }
  return new Set(algorithms as string[]);
}

function parseUrl(option: string, value: string | URL, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new AuthConfigError(option, `expected an absolute URL, got ${describe(String(value))}`);
  }
  if (!isAllowedUrl(url, allowInsecureHttp)) {
    throw new AuthConfigError(
      option,
      'keys must be fetched over https (http is allowed only on loopback, or with allowInsecureHttp: true)',
    );
  }
  return url;
}
