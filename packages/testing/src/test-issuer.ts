import { randomBytes, randomUUID } from 'node:crypto';
import { base64url, type JWTPayload, SignJWT } from 'jose';
import { generateTestKey, type JsonWebKeySet, type TestAlgorithm, type TestKey, toJwks } from './keys.js';
import { assertOptionKeys, optionNames } from './option-keys.js';

/** Every kind of deliberately broken token {@link TestIssuer.broken} can mint. */
export const BROKEN_TOKEN_KINDS = Object.freeze([
  'expired',
  'notYetValid',
  'wrongAudience',
  'multipleAudiences',
  'missingMarker',
  'otherIssuer',
  'unknownKey',
  'badSignature',
  'algNone',
  'hs256',
  'missingExp',
  'lifetimeTooLong',
  'malformed',
] as const);

/**
 * A kind of broken token:
 * - `expired`: `exp` an hour ago.
 * - `notYetValid`: `nbf` an hour from now.
 * - `wrongAudience`: `aud` names another service.
 * - `multipleAudiences`: `aud` is an array of two audiences.
 * - `missingMarker`: no service marker claim (`source: "microservice"`).
 * - `otherIssuer`: signed by another key with another `iss`.
 * - `unknownKey`: right `iss`, signed by a key not in the published set.
 * - `badSignature`: a published key's token with a corrupted signature.
 * - `algNone`: an unsecured JWT (`alg: "none"`, RFC 7519 §6).
 * - `hs256`: signed with HS256 using a random secret (algorithm-confusion attempt).
 * - `missingExp`: no `exp` claim.
 * - `lifetimeTooLong`: valid for 30 days.
 * - `malformed`: not a JWS at all.
 */
export type BrokenTokenKind = (typeof BROKEN_TOKEN_KINDS)[number];

/** The claim (and its value) that marks service tokens. */
export interface TokenMarker {
  readonly claim: string;
  readonly value: string | number | boolean;
}

/** Options of {@link createTestIssuer}. */
export interface TestIssuerOptions {
  /** `iss` of the tokens. Default `'https://issuer.test'`. */
  readonly issuer?: string;
  /** Default `aud` (the service under test). Default `'test-service'`. */
  readonly audience?: string;
  /** Default `sub` (the calling service). Default `'test-caller'`. */
  readonly subject?: string;
  /** Key algorithm. Default `'ES256'`. */
  readonly alg?: TestAlgorithm;
  /** Default token lifetime, in seconds. Default `300`. */
  readonly lifetime?: number;
  /**
   * Claim that marks service tokens, or `false` for none (user tokens).
   * Default `{ claim: 'source', value: 'microservice' }`.
   */
  readonly marker?: TokenMarker | false;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Options of one {@link TestIssuer.sign} call. */
export interface SignOptions {
  /** Lifetime in seconds (sets `exp` = `iat` + lifetime). Default: the issuer's. */
  readonly lifetime?: number;
  /** Extra or replacing protected header parameters. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Key to sign with. Default: the current key. */
  readonly key?: TestKey;
}

/** Claims for {@link TestIssuer.sign}; a claim set to `undefined` is removed from the token. */
export type ClaimOverrides = Readonly<Record<string, unknown>>;

const ISSUER_OPTIONS = optionNames<TestIssuerOptions>({
  issuer: true,
  audience: true,
  subject: true,
  alg: true,
  lifetime: true,
  marker: true,
  now: true,
});

/**
 * An in-memory token issuer for tests: keys, valid tokens, broken tokens and a JWKS.
 * Build it with {@link createTestIssuer}.
 */
export class TestIssuer {
  /** `iss` of the tokens. */
  readonly issuer: string;
  /** Default `aud`. */
  readonly audience: string;
  /** Default `sub`. */
  readonly subject: string;
  /** Algorithm of generated keys. */
  readonly alg: TestAlgorithm;
  readonly #lifetime: number;
  readonly #marker: TokenMarker | false;
  readonly #now: () => number;
  #keys: TestKey[];

  /** Prefer {@link createTestIssuer}, which generates the first key. */
  constructor(key: TestKey, options: TestIssuerOptions = {}) {
    assertOptionKeys('createTestIssuer', options, ISSUER_OPTIONS);
    this.issuer = options.issuer ?? 'https://issuer.test';
    this.audience = options.audience ?? 'test-service';
    this.subject = options.subject ?? 'test-caller';
    this.alg = options.alg ?? key.alg;
    this.#lifetime = options.lifetime ?? 300;
    this.#marker = options.marker ?? { claim: 'source', value: 'microservice' };
    this.#now = options.now ?? Date.now;
    this.#keys = [key];
  }

  /** The current signing key. */
  get currentKey(): TestKey {
    return this.#keys[this.#keys.length - 1]!;
  }

  /** Every published key, oldest first. */
  get keys(): readonly TestKey[] {
    return [...this.#keys];
  }

  /** The published keys as an in-memory JWKS (a fresh object on every call). */
  jwks(): JsonWebKeySet {
    return toJwks(this.#keys);
  }

  /**
   * Generates a new key, publishes it and signs with it from now on. The previous keys stay
   * published unless `dropPrevious` is set.
   */
  async rotate(options: { readonly dropPrevious?: boolean } = {}): Promise<TestKey> {
    const key = await generateTestKey({ alg: this.alg });
    this.#keys = options.dropPrevious ? [key] : [...this.#keys, key];
    return key;
  }

  /** Stops publishing a key (tokens it signed then fail with an unknown key). */
  unpublish(kid: string): void {
    this.#keys = this.#keys.filter((key) => key.kid !== kid);
  }

  /** The claims of a valid token, before overrides. */
  claims(lifetime = this.#lifetime): JWTPayload {
    const iat = Math.floor(this.#now() / 1000);
    const marker = this.#marker === false ? {} : { [this.#marker.claim]: this.#marker.value };
    return {
      iss: this.issuer,
      sub: this.subject,
      aud: this.audience,
      iat,
      nbf: iat,
      exp: iat + lifetime,
      jti: randomUUID(),
      ...marker,
    };
  }

  /**
   * Mints a valid token; `claims` add to or replace the defaults (`undefined` removes one).
   *
   * @example
   * ```ts
   * const token = await issuer.sign({ permissions: ['orders:read'] });
   * ```
   */
  async sign(claims: ClaimOverrides = {}, options: SignOptions = {}): Promise<string> {
    const key = options.key ?? this.currentKey;
    const payload: Record<string, unknown> = { ...this.claims(options.lifetime), ...claims };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header })
      .sign(key.privateKey);
  }

  /**
   * Mints a deliberately broken token of the given kind (see {@link BrokenTokenKind}).
   *
   * @example
   * ```ts
   * const token = await issuer.broken('expired');
   * ```
   */
  async broken(kind: BrokenTokenKind, claims: ClaimOverrides = {}): Promise<string> {
    const now = Math.floor(this.#now() / 1000);
    switch (kind) {
      case 'expired':
        return this.sign({ iat: now - 7200, nbf: now - 7200, exp: now - 3600, ...claims });
      case 'notYetValid':
        return this.sign({ nbf: now + 3600, exp: now + 3900, ...claims });
      case 'wrongAudience':
        return this.sign({ aud: 'some-other-service', ...claims });
      case 'multipleAudiences':
        return this.sign({ aud: [this.audience, 'some-other-service'], ...claims });
      case 'missingMarker': {
        const marker = this.#marker === false ? {} : { [this.#marker.claim]: undefined };
        return this.sign({ ...marker, ...claims });
      }
      case 'otherIssuer': {
        const key = await generateTestKey({ alg: this.alg });
        return this.sign({ iss: 'https://other-issuer.test', ...claims }, { key });
      }
      case 'unknownKey':
        return this.sign(claims, { key: await generateTestKey({ alg: this.alg }) });
      case 'badSignature':
        return corruptSignature(await this.sign(claims));
      case 'algNone': {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        const payload = base64url.encode(JSON.stringify({ ...this.claims(), ...claims }));
        return `${header}.${payload}.`;
      }
      case 'hs256': {
        const secret = new Uint8Array(randomBytes(32));
        return new SignJWT({ ...this.claims(), ...claims })
          .setProtectedHeader({ alg: 'HS256', kid: this.currentKey.kid, typ: 'JWT' })
          .sign(secret);
      }
      case 'missingExp':
        return this.sign({ exp: undefined, ...claims });
      case 'lifetimeTooLong':
        return this.sign(claims, { lifetime: 30 * 86_400 });
      case 'malformed':
        return 'not-a.jwt';
    }
  }
}

function corruptSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = base64url.decode(token.slice(dot + 1));
  // Flip bits in the middle: a changed last character may only touch base64url padding bits.
  const middle = Math.floor(signature.length / 2);
  signature[middle] = (signature[middle] ?? 0) ^ 0xff;
  return `${token.slice(0, dot)}.${base64url.encode(signature)}`;
}

/**
 * Creates an in-memory issuer with one fresh key, in one line.
 *
 * @example
 * ```ts
 * const issuer = await createTestIssuer({ issuer: 'https://auth.test', audience: 'orders' });
 * const token = await issuer.sign({ sub: 'billing' });
 * const jwks = issuer.jwks(); // hand to the verifier as a static JWKS
 * ```
 */

export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const key = await generateTestKey(options.alg === undefined ? {} : { alg: options.alg });
  return new TestIssuer(key, options);
}
