import { randomUUID, type X509Certificate } from 'node:crypto';
import { type Duration, parseDuration } from '@org/auth-core';
import { optionKeys } from '@org/auth-core/adapter';
import { SignJWT } from 'jose';
import { AuthClientError, AuthConfigError } from '../errors.js';
import { KeyRing } from '../keys/key-ring.js';
import type { SigningKey } from '../keys/signing-key.js';
import { checkOptions } from '../lib/options.js';
import { type Confirmation, compileConfirmation } from './confirmation.js';
import type { IssuedToken, TokenRequest, TokenSource } from './token-source.js';

/** Options of {@link createSelfSignedSource}. */
export interface SelfSignedSourceOptions {
  /** This service's identity: `iss`, and `sub` unless `subject` is set. */
  readonly issuer: string;
  /** `sub` of the tokens. Default: `issuer`. */
  readonly subject?: string;
  /** The signing key, or a key ring (then its current key signs). */
  readonly key: SigningKey | KeyRing;
  /** Token lifetime. Default `'5m'`. More than `'1h'` needs `allowLongLifetime`. */
  readonly lifetime?: Duration;
  /** Allow a `lifetime` above one hour (receivers accept at most 24 h by default). Default `false`. */
  readonly allowLongLifetime?: boolean;
  /** Allow an HS256 key (shared secret). Default `false`: asymmetric keys only. */
  readonly allowSymmetric?: boolean;
  /** `permissions` claim (array of strings). */
  readonly permissions?: readonly string[];
  /** Default `scope` claim, used when a request gives none. */
  readonly scope?: string;
  /** Extra claims; they cannot replace the registered ones (`iss`, `aud`, `exp`, ...). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * This service's TLS client certificate (PEM or `X509Certificate`): every token is bound to it
   * with `cnf: { 'x5t#S256': <thumbprint> }` (RFC 8705 §3), so a receiver accepts it only over a
   * mutual-TLS connection that presents this certificate; a stolen token is useless elsewhere.
   * Default: none (bearer tokens).
   */
  readonly certificate?: string | X509Certificate;
  /**
   * Confirmation members to put in the `cnf` claim as they are: `x5t#S256` (a certificate
   * thumbprint) and/or `jkt` (a DPoP key thumbprint, RFC 9449). Merged with `certificate` into one
   * `cnf`; cannot be combined with `claims.cnf`. Default: none.
   */
  readonly confirmation?: Confirmation;
  /** The marker of service tokens. Default `{ claim: 'source', value: 'microservice' }`; `false` for none. */
  readonly marker?: { readonly claim: string; readonly value: string | number | boolean } | false;
  /** `typ` header. Default `'JWT'`. */
  readonly typ?: string;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** The claim that tells service tokens from user tokens, such as `source: "microservice"`. */
type ServiceMarker = Exclude<SelfSignedSourceOptions['marker'], false | undefined>;

const OPTIONS = optionKeys<SelfSignedSourceOptions>({
  issuer: true,
  subject: true,
  key: true,
  lifetime: true,
  allowLongLifetime: true,
  allowSymmetric: true,
  permissions: true,
  scope: true,
  claims: true,
  certificate: true,
  confirmation: true,
  marker: true,
  typ: true,
  now: true,
});
const MARKER_OPTIONS = optionKeys<ServiceMarker>({ claim: true, value: true });
const DEFAULT_MARKER: ServiceMarker = { claim: 'source', value: 'microservice' };

const RESERVED = new Set(['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti']);
const ONE_HOUR = 3600;

/**
 * A source that signs this service's own tokens: `iss`/`sub` = the service, `aud` = exactly one
 * target, `iat`, `nbf`, `exp`, a unique `jti`, `source: "microservice"` and `kid` in the header.
 *
 * @throws {AuthConfigError} for invalid or unknown options
 * @example
 * ```ts
 * const source = createSelfSignedSource({ issuer: 'billing', key: await loadSigningKeyFromFile('key.pem') });
 * const { accessToken } = await source.getToken({ audience: 'orders' });
 * ```
 */
export function createSelfSignedSource(options: SelfSignedSourceOptions): TokenSource {
  checkOptions(undefined, options, OPTIONS);
  const { issuer } = options;
  if (typeof issuer !== 'string' || issuer === '')
    throw new AuthConfigError('issuer', 'expected a non-empty string');
  const subject = options.subject ?? issuer;
  if (typeof subject !== 'string' || subject === '')
    throw new AuthConfigError('subject', 'expected a non-empty string');
  const keySource = options.key;
  if (
    !(keySource instanceof KeyRing) &&
    (typeof keySource !== 'object' || keySource === null || !('privateKey' in keySource))
  ) {
    throw new AuthConfigError(
      'key',
      'expected a SigningKey (importSigningKey, generateSigningKey) or a KeyRing',
    );
  }
  if (!(keySource instanceof KeyRing) && keySource.alg === 'HS256' && options.allowSymmetric !== true) {
    throw new AuthConfigError('key', 'HS256 keys need allowSymmetric: true; prefer ES256 or EdDSA');
  }
  const lifetime = parseDuration(options.lifetime ?? '5m', 'lifetime');
  if (lifetime < 1) throw new AuthConfigError('lifetime', 'must be at least 1 second');
  if (lifetime > ONE_HOUR && options.allowLongLifetime !== true) {
    throw new AuthConfigError(
      'lifetime',
      `${lifetime}s is over one hour; set allowLongLifetime: true if you mean it`,
    );
  }
  const extra = { ...options.claims };
  for (const name of Object.keys(extra)) {
    if (RESERVED.has(name))
      throw new AuthConfigError(`claims.${name}`, 'is set by the source and cannot be overridden');
  }
  if (
    options.permissions !== undefined &&
    (!Array.isArray(options.permissions) || options.permissions.some((p) => typeof p !== 'string'))
  ) {
    throw new AuthConfigError('permissions', 'expected an array of strings');
  }
  const cnf = compileConfirmation(options.certificate, options.confirmation, options.claims);
  const marker = compileMarker(options.marker);
  const typ = options.typ ?? 'JWT';
  const now = options.now ?? Date.now;

  return {
    async getToken(request: TokenRequest): Promise<IssuedToken> {
      const { audience } = request;
      if (typeof audience !== 'string' || audience === '') {
        throw new AuthConfigError('audience', 'expected one non-empty audience');
      }
      const nowMs = now();
      const iat = Math.floor(nowMs / 1000);
      const exp = iat + Math.floor(lifetime);
      const key = keySource instanceof KeyRing ? keySource.useCurrent(exp * 1000) : keySource;
      const scope = request.scope ?? options.scope;
      const payload: Record<string, unknown> = {
        ...extra,
        ...(marker === false ? {} : { [marker.claim]: marker.value }),
        ...(options.permissions === undefined ? {} : { permissions: [...options.permissions] }),
        ...(scope === undefined ? {} : { scope }),
        ...(cnf === undefined ? {} : { cnf }),
        iss: issuer,
        sub: subject,
        aud: audience,
        iat,
        nbf: iat,
        exp,
        jti: randomUUID(),
      };
      try {
        const accessToken = await new SignJWT(payload)
          .setProtectedHeader({ alg: key.alg, ...(key.kid === '' ? {} : { kid: key.kid }), typ })
          .sign(key.privateKey);
        return { accessToken, expiresAt: exp * 1000, ...(scope === undefined ? {} : { scope }) };
      } catch (error) {
        throw new AuthClientError('signing_failed', 'could not sign the token', { cause: error });
      }
    },
  };
}

function compileMarker(marker: ServiceMarker | false | undefined): ServiceMarker | false {
  if (marker === undefined) return DEFAULT_MARKER;
  if (marker === false) return false;
  checkOptions(
    'marker',
    marker,
    MARKER_OPTIONS,
    "an object such as { claim: 'source', value: 'microservice' } or false",
  );
  if (typeof marker.claim !== 'string' || marker.claim === '')
    throw new AuthConfigError('marker.claim', 'expected a claim name such as "source"');
  if (!['string', 'number', 'boolean'].includes(typeof marker.value))
    throw new AuthConfigError('marker.value', 'expected a string, number or boolean');
  return { claim: marker.claim, value: marker.value };
}
