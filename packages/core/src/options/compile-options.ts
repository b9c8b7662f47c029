import type { KeyObject } from 'node:crypto';
import { CallerPatterns } from '../authz/caller-patterns.js';
import { type CompiledRoleMap, compileRoleMap } from '../authz/role-map.js';
import { compileCertificateBinding } from '../binding/certificate-binding.js';
import { compileDpop } from '../dpop/dpop-options.js';
import type { DpopPolicy } from '../dpop/dpop-policy.js';
import { AuthConfigError } from '../errors.js';
import { type AuthEventListener, safeListener, type TokenKind } from '../events.js';
import {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  HMAC_MIN_SECRET_BYTES,
  isAlgorithm,
} from '../keys/algorithms.js';
import {
  createKeyEntry,
  importPublicKey,
  importSecret,
  type KeyEntry,
  type KeyMaterial,
} from '../keys/key-entry.js';
import type { KeySource } from '../keys/key-source.js';
import { isAllowedUrl, RemoteKeySource } from '../keys/remote-key-source.js';
import { StaticKeySource } from '../keys/static-key-source.js';
import type { RevocationStore } from '../revocation/revocation-store.js';
import { validateExtractionOptions } from '../token/extract-bearer-token.js';
import type { RequestLike } from '../token/request.js';
import { describe, toSeconds } from './duration.js';
import type {
  AuthCheck,
  IssuerOptions,
  RemoteKeyOptions,
  ServiceTokenRules,
  TokenRules,
  VerifierOptions,
} from './verifier-options.js';

/** A trusted issuer, ready for the hot path. */
export interface CompiledIssuer {
  readonly issuer: string;
  readonly algorithms: ReadonlySet<string>;
  readonly keys: KeySource;
}

/** Rules of one kind of token, ready for the hot path. */
export interface CompiledRules {
  readonly kind: TokenKind;
  readonly issuers: ReadonlySet<string> | undefined;
  readonly audience: ReadonlySet<string>;
  readonly typ: string | undefined;
  readonly requiredClaims: readonly string[];
  /** Seconds. */
  readonly maxTokenAge: number | undefined;
  readonly allowMultipleAudiences: boolean;
  readonly callers: CallerPatterns | undefined;
  readonly callerClaim: string;
}

/** Everything the verifier needs, validated and precomputed once. */
export interface CompiledOptions {
  readonly issuers: ReadonlyMap<string, CompiledIssuer>;
  readonly service: CompiledRules | undefined;
  readonly user: CompiledRules | undefined;
  readonly markerClaim: string;
  readonly markerValue: string | number | boolean;
  /** Seconds. */
  readonly clockTolerance: number;
  /** Seconds. */
  readonly maxLifetime: number;
  readonly permissionClaims: readonly string[];
  readonly roleClaim: string;
  readonly roles: CompiledRoleMap;
  readonly revocation: RevocationStore | undefined;
  readonly checks: readonly AuthCheck[];
  readonly cacheMaxEntries: number;
  readonly maxTokenLength: number | undefined;
  readonly queryParameter: string | false;
  readonly extractToken: ((request: RequestLike) => string | undefined) | undefined;
  readonly realm: string | undefined;
  readonly emit: AuthEventListener;
  /** False without an `onEvent` listener: the hot path then builds no event objects. */
  readonly listening: boolean;
  readonly now: () => number;
  /** `certificateBinding: 'required'`: every token must be bound to the client certificate. */
  readonly requireCertificateBinding: boolean;
  /** The `dpop` option, compiled; undefined when DPoP is off. */
  readonly dpop: DpopPolicy | undefined;
}

const TOP_LEVEL_OPTIONS = [
  'issuers',
  'audience',
  'services',
  'users',
  'serviceMarker',
  'clockTolerance',
  'maxLifetime',
  'maxTokenAge',
  'typ',
  'requiredClaims',
  'permissionClaims',
  'roleClaim',
  'roles',
  'revocation',
  'checks',
  'cache',
  'maxTokenLength',
  'queryParameter',
  'extractToken',
  'realm',
  'onEvent',
  'remoteKeys',
  'fetch',
  'now',
  'dpop',
  'certificateBinding',
];
const REMOTE_OPTIONS = [
  'cacheMaxAge',
  'cooldown',
  'timeout',
  'maxStale',
  'maxResponseBytes',
  'maxKeys',
  'backgroundRefresh',
  'allowInsecureHttp',
  'fetch',
];
const ISSUER_OPTIONS = [
  'issuer',
  'algorithms',
  'jwksUri',
  'discovery',
  'jwks',
  'publicKey',
  'secret',
  ...REMOTE_OPTIONS,
];
const RULE_OPTIONS = [
  'issuers',
  'audience',
  'typ',
  'requiredClaims',
  'maxTokenAge',
  'allowMultipleAudiences',
];
const SERVICE_RULE_OPTIONS = [...RULE_OPTIONS, 'callers', 'callerClaim'];

/**
 * Validates {@link VerifierOptions} and compiles them. Every message names the option and says
 * what to change.
 *
 * @throws {AuthConfigError}
 */
export function compileOptions(options: VerifierOptions): CompiledOptions {
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError('options', 'expected an options object with at least issuers and audience');
  }
  assertKnownKeys('options', options, TOP_LEVEL_OPTIONS);
  const now = optionalFunction('now', options.now) ?? Date.now;
  const emit = safeListener(optionalFunction('onEvent', options.onEvent));
  const fetchImpl = optionalFunction('fetch', options.fetch) ?? globalThis.fetch;
  const remoteDefaults = options.remoteKeys ?? {};
  assertKnownKeys('remoteKeys', remoteDefaults, REMOTE_OPTIONS);

  const issuerList = (
    Array.isArray(options.issuers) ? options.issuers : [options.issuers]
  ) as IssuerOptions[];
  if (options.issuers === undefined || issuerList.length === 0) {
    throw new AuthConfigError(
      'issuers',
      'trust at least one issuer, e.g. { issuer: "https://auth.internal", jwksUri: "https://auth.internal/.well-known/jwks.json" }',
    );
  }
  const issuers = new Map<string, CompiledIssuer>();
  issuerList.forEach((issuer, index) => {
    const compiled = compileIssuer(`issuers[${index}]`, issuer, { remoteDefaults, fetchImpl, now, emit });
    if (issuers.has(compiled.issuer)) {
      throw new AuthConfigError(
        `issuers[${index}].issuer`,
        `"${compiled.issuer}" is listed twice; give each issuer one key source`,
      );
    }
    issuers.set(compiled.issuer, compiled);
  });

  const audience = optionalAudience('audience', options.audience);
  const service = compileRules('service', 'services', options.services ?? true, audience, issuers);
  const user = compileRules('user', 'users', options.users ?? false, audience, issuers);
  if (service === undefined && user === undefined) {
    throw new AuthConfigError(
      'services',
      'both services and users are false: accept at least one kind of token',
    );
  }

  const marker = options.serviceMarker ?? { claim: 'source', value: 'microservice' };
  if (
    typeof marker !== 'object' ||
    marker === null ||
    !nonEmptyString(marker.claim) ||
    !['string', 'number', 'boolean'].includes(typeof marker.value)
  ) {
    throw new AuthConfigError(
      'serviceMarker',
      'expected { claim: "source", value: "microservice" }: a claim name and the value that marks service tokens',
    );
  }

  const cache = options.cache ?? {};
  let cacheMaxEntries = 0;
  if (cache !== false) {
    if (typeof cache !== 'object' || cache === null) {
      throw new AuthConfigError('cache', 'expected false or { maxEntries: 10000 }');
    }
    cacheMaxEntries = cache.maxEntries ?? 10_000;
    if (!Number.isInteger(cacheMaxEntries) || cacheMaxEntries < 1) {
      throw new AuthConfigError(
        'cache.maxEntries',
        'expected a whole number of at least 1 (or cache: false to turn the cache off)',
      );
    }
  }

  validateExtractionOptions(
    {
      ...(options.maxTokenLength === undefined ? {} : { maxTokenLength: options.maxTokenLength }),
      ...(options.queryParameter === undefined ? {} : { queryParameter: options.queryParameter }),
    },
    'options',
  );
  if (options.realm !== undefined && !nonEmptyString(options.realm)) {
    throw new AuthConfigError('realm', 'expected a non-empty string');
  }
  const checks = options.checks ?? [];
  if (!Array.isArray(checks) || checks.some((check) => typeof check !== 'function')) {
    throw new AuthConfigError(
      'checks',
      'expected an array of functions (auth, request) => boolean | Promise<boolean>',
    );
  }
  const revocation = options.revocation;
  if (revocation !== undefined && typeof revocation?.isRevoked !== 'function') {
    throw new AuthConfigError(
      'revocation',
      'expected a store with an isRevoked(query) method, such as new MemoryRevocationStore()',
    );
  }

  return {
    issuers,
    service,
    user,
    markerClaim: marker.claim,
    markerValue: marker.value,
    clockTolerance: toSeconds('clockTolerance', options.clockTolerance ?? 5),
    maxLifetime: toSeconds('maxLifetime', options.maxLifetime ?? '24h', { allowZero: false }),
    permissionClaims: claimNames('permissionClaims', options.permissionClaims ?? ['permissions', 'scope']),
    roleClaim: claimName('roleClaim', options.roleClaim ?? 'roles'),
    roles: compileRoleMap('roles', options.roles),
    revocation,
    checks,
    cacheMaxEntries,
    maxTokenLength: options.maxTokenLength,
    queryParameter: options.queryParameter ?? false,
    extractToken: optionalFunction('extractToken', options.extractToken),
    realm: options.realm,
    emit,
    listening: options.onEvent !== undefined,
    now,
    dpop: compileDpop(options, now),
    requireCertificateBinding: compileCertificateBinding(options.certificateBinding),
  };

  function compileRules(
    kind: TokenKind,
    option: string,
    value: ServiceTokenRules | TokenRules | boolean,
    defaultAudience: ReadonlySet<string> | undefined,
    trusted: ReadonlyMap<string, CompiledIssuer>,
  ): CompiledRules | undefined {
    if (value === false) return undefined;
    if (value !== true && (typeof value !== 'object' || value === null)) {
      throw new AuthConfigError(option, 'expected true, false or an object of rules');
    }
    const rules: ServiceTokenRules = value === true ? {} : value;
    assertKnownKeys(option, rules, kind === 'service' ? SERVICE_RULE_OPTIONS : RULE_OPTIONS);
    const ruleAudience = optionalAudience(`${option}.audience`, rules.audience) ?? defaultAudience;
    if (ruleAudience === undefined) {
      throw new AuthConfigError(
        'audience',
        `set the audience this service answers to (for example its name), here or in ${option}.audience; tokens without a matching aud are refused`,
      );
    }
    let ruleIssuers: Set<string> | undefined;
    if (rules.issuers !== undefined) {
      if (!Array.isArray(rules.issuers) || rules.issuers.length === 0) {
        throw new AuthConfigError(
          `${option}.issuers`,
          'expected a non-empty array of issuer strings from the issuers option',
        );
      }
      ruleIssuers = new Set(rules.issuers);
      for (const [index, issuer] of rules.issuers.entries()) {
        if (!trusted.has(issuer)) {
          throw new AuthConfigError(
            `${option}.issuers[${index}]`,
            `"${issuer}" is not one of the trusted issuers; add it to the issuers option first`,
          );
        }
      }
    }
    const maxTokenAge = rules.maxTokenAge ?? options.maxTokenAge;
    const typ = rules.typ ?? options.typ;
    if (typ !== undefined && !nonEmptyString(typ))
      throw new AuthConfigError(`${option}.typ`, "expected a media type such as 'at+jwt'");
    if (rules.allowMultipleAudiences !== undefined && typeof rules.allowMultipleAudiences !== 'boolean') {
      throw new AuthConfigError(`${option}.allowMultipleAudiences`, 'expected true or false');
    }
    return {
      kind,
      issuers: ruleIssuers,
      audience: ruleAudience,
      typ,
      requiredClaims: [
        ...claimNames('requiredClaims', options.requiredClaims ?? []),
        ...claimNames(`${option}.requiredClaims`, rules.requiredClaims ?? []),
      ],
      maxTokenAge:
        maxTokenAge === undefined
          ? undefined
          : toSeconds(`${option}.maxTokenAge`, maxTokenAge, { allowZero: false }),
      allowMultipleAudiences: rules.allowMultipleAudiences ?? kind === 'user',
      callers:
        rules.callers === undefined ? undefined : new CallerPatterns(`${option}.callers`, rules.callers),
      callerClaim: claimName(`${option}.callerClaim`, rules.callerClaim ?? 'sub'),
    };
  }
}

interface IssuerContext {
  readonly remoteDefaults: RemoteKeyOptions;
  readonly fetchImpl: typeof globalThis.fetch;
  readonly now: () => number;
  readonly emit: AuthEventListener;
}

/**
 * Compiles a static key source (`jwks`, `publicKey` or `secret`, with `algorithms`) exactly as
 * {@link compileOptions} compiles an issuer's, for `verifyCompactJws`.
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

function compileIssuer(option: string, options: IssuerOptions, context: IssuerContext): CompiledIssuer {
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
    keys = new StaticKeySource(
      issuer,
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
    keys = new StaticKeySource(
      issuer,
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
  context: IssuerContext,
): RemoteKeySource {
  const merged = { ...context.remoteDefaults, ...options };
  const ms = (name: keyof RemoteKeyOptions, fallback: string, allowZero = false) =>
    toSeconds(`${option}.${name}`, (merged[name] as string | number | undefined) ?? fallback, { allowZero }) *
    1000;
  const count = (name: 'maxResponseBytes' | 'maxKeys', fallback: number, max: number) => {
    const value = merged[name] ?? fallback;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new AuthConfigError(
        `${option}.${name}`,
        `expected a whole number from 1 to ${max} (default ${fallback})`,
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
    timeout: ms('timeout', '5s'),
    maxStale: ms('maxStale', '1h', true),
    maxResponseBytes: count('maxResponseBytes', 262_144, 16_777_216),
    maxKeys: count('maxKeys', 50, 1000),
    backgroundRefresh: flag(`${option}.backgroundRefresh`, merged.backgroundRefresh),
    fetch: optionalFunction(`${option}.fetch`, merged.fetch) ?? context.fetchImpl,
    now: context.now,
    emit: context.emit,
  });
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

function optionalAudience(
  option: string,
  value: string | readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new AuthConfigError(option, 'expected a non-empty string or array of strings, such as "payments"');
  }
  for (const [index, audience] of list.entries()) {
    if (!nonEmptyString(audience))
      throw new AuthConfigError(`${option}[${index}]`, 'expected a non-empty string');
    if (audience.includes('*')) {
      throw new AuthConfigError(
        option,
        'wildcards are not accepted in audiences: name this service exactly, such as "payments"',
      );
    }
  }
  return new Set(list);
}

function claimNames(option: string, value: readonly string[]): string[] {
  if (!Array.isArray(value)) throw new AuthConfigError(option, 'expected an array of claim names');
  return value.map((name, index) => claimName(`${option}[${index}]`, name));
}

function claimName(option: string, value: unknown): string {
  if (!nonEmptyString(value)) throw new AuthConfigError(option, 'expected a claim name such as "sub"');
  return value;
}

function flag(option: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw new AuthConfigError(option, 'expected true or false');
  return value === true;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function optionalFunction<F>(option: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new AuthConfigError(option, 'expected a function');
  return value;
}

function assertKnownKeys(option: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new AuthConfigError(
        `${option}.${key}`,
        `unknown option; known options here are ${known.join(', ')}`,
      );
    }
  }
}
