import type { AuthError, AuthErrorCode, AuthErrorOptions, AuthScheme } from './errors.js';
import type { CallerKind, RequestIdentity } from './events.js';
import type { PermissionSet } from './grants/permissions.js';
import type { TokenHeader } from './token/decode-token.js';
import type { RequestLike } from './token/request.js';

/**
 * Your custom claims, declared once for the whole application by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@org/auth-core' {
 *   interface AuthClaims {
 *     tenant: string;
 *   }
 * }
 * // now req.auth.claims.tenant is a string in every adapter
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: the augmentation point must start empty.
export interface AuthClaims {}

/** Registered claims (RFC 7519 §4.1) plus the ones this library reads. */
export interface StandardClaims {
  readonly iss: string;
  readonly sub?: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

/** The claims of a verified token: standard ones, your {@link AuthClaims}, and `C`. */
export type Claims<C extends object = object> = StandardClaims & AuthClaims & C;

/** What a route refusal adds to its `rejected` event besides the caller's identity. */
export interface RefusalDetail {
  /** For guard rejections: what was required, e.g. `permission orders:create`. */
  readonly requirement?: string;
  /** For `policy_denied`: the policy that denied, when one did. */
  readonly policy?: string;
}

/** The policies of an authenticator, as `authorize()` asks them (a `PolicyEngine`). */
export interface PolicyEvaluator {
  evaluate(input: {
    readonly auth: AuthContext;
    readonly action: string;
    readonly resource: unknown;
    readonly environment: { readonly now: Date; readonly request: RequestLike | undefined };
  }): Promise<{ readonly allowed: boolean; readonly reason: string; readonly policy: string | undefined }>;
}

/**
 * How an authenticator answers: its challenge scheme, realm, clock and policies, and the one
 * place where its rejections are made in their final form and reported as `rejected` events.
 * A context carries the rejector of the authenticator that accepted it (`auth.rejector`), so
 * that route guards and `authorize()` reject the way that authenticator would.
 */
export interface Rejector {
  /** The scheme of this authenticator's challenges. */
  readonly scheme: AuthScheme;
  /** The `realm` of its challenges, if configured. */
  readonly realm: string | undefined;
  /** Its clock, in milliseconds since the epoch. */
  readonly now: () => number;
  /** The policies `authorize()` uses for its contexts, when it has some. */
  readonly policies: PolicyEvaluator | undefined;
  /**
   * A route's refusal with `code`, in its final form and reported: with the given `scheme` (the
   * context's), else this authenticator's, and its realm.
   */
  refuse(
    code: AuthErrorCode,
    identity: RequestIdentity,
    options?: AuthErrorOptions,
    detail?: RefusalDetail,
  ): AuthError;
  /**
   * A failure passed on by a composition of authenticators: with this realm, and reported unless
   * the authenticator that failed has reported it already.
   */
  relay(error: AuthError, reported: boolean): AuthError;
}

/** @internal what the verifier builds a context from */
export interface AuthContextFields<C extends object = object> {
  readonly kind: CallerKind;
  readonly scheme: AuthScheme;
  readonly rejector: Rejector | undefined;
  readonly issuer: string;
  readonly subject: string | undefined;
  readonly caller: string | undefined;
  readonly audience: readonly string[];
  readonly tokenId: string | undefined;
  readonly expiresAt: number;
  readonly claims: Readonly<Claims<C>>;
  readonly header: Readonly<TokenHeader>;
  readonly roles: readonly string[];
  readonly permissions: PermissionSet;
  /** For a service calling on behalf of a user: the user's verified context. */
  readonly user?: AuthContext<C>;
}

/** The roles of a context without any: one shared, never-changed set. */
const NO_ROLES: ReadonlySet<string> = new Set<string>();

/**
 * Who is calling and what they may do: the result of a successful verification. Adapters put it
 * on `req.auth` (Express), `ctx.state.auth` (Koa) and `request.auth` (Fastify).
 *
 * @typeParam C - extra claims for this route, on top of {@link AuthClaims}
 */
export class AuthContext<C extends object = object> {
  /**
   * Who called: `service` for tokens that carry the service marker claim, `user` for other
   * tokens and sessions, `mtls` for a client certificate, `hmac` for a signed request.
   */
  readonly kind: CallerKind;
  /**
   * How the credentials were presented, and so the scheme of a route's challenges: `Bearer`,
   * `DPoP` (a DPoP-bound token), `HMAC-SHA256` (a signed request) or `mTLS` (a client certificate).
   */
  readonly scheme: AuthScheme;
  /**
   * How the authenticator that accepted these credentials answers: guards and `authorize()`
   * reject through it, so their rejections carry its realm and reach its events. `undefined` for
   * a context built without one (`createAuthContext`).
   */
  readonly rejector: Rejector | undefined;
  /** The token's `iss`. */
  readonly issuer: string;
  /** The token's `sub`, if any. */
  readonly subject: string | undefined;
  /** For service tokens: the calling service (the configured caller claim, `sub` by default). */
  readonly caller: string | undefined;
  /** The token's `aud`, always as an array. */
  readonly audience: readonly string[];
  /** The token's `jti`, if any. */
  readonly tokenId: string | undefined;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  /** The verified claims. */
  readonly claims: Readonly<Claims<C>>;
  /** The verified protected header. */
  readonly header: Readonly<TokenHeader>;
  /** Role names from the role claim. */
  readonly roles: readonly string[];
  readonly #permissions: PermissionSet;
  readonly #roles: ReadonlySet<string>;
  readonly #fields: AuthContextFields<C>;

  /** @internal built by the verifier */
  constructor(fields: AuthContextFields<C>) {
    this.#fields = fields;
    this.kind = fields.kind;
    this.scheme = fields.scheme;
    this.rejector = fields.rejector;
    this.issuer = fields.issuer;
    this.subject = fields.subject;
    this.caller = fields.caller;
    this.audience = fields.audience;
    this.tokenId = fields.tokenId;
    this.expiresAt = fields.expiresAt;
    this.claims = fields.claims;
    this.header = fields.header;
    this.roles = fields.roles;
    this.#permissions = fields.permissions;
    this.#roles = fields.roles.length === 0 ? NO_ROLES : new Set(fields.roles);
  }

  /**
   * The verified user: this context for a user token or session; for a service calling on behalf
   * of a user (a forwarded user token, or a token-exchange token with `act`), the user's own
   * context; otherwise `undefined`. Permission checks on it ask what the *user* may do.
   * @example auth.user?.subject; auth.user?.can('orders:read')
   */
  get user(): AuthContext<C> | undefined {
    return this.kind === 'user' ? this : this.#fields.user;
  }

  /** @internal the same context, calling on behalf of `user` */
  withUser(user: AuthContext<C>): AuthContext<C> {
    return new AuthContext({ ...this.#fields, user });
  }

  /** The granted permissions (from the permission claims and the role map), as given. */
  get permissions(): readonly string[] {
    return this.#permissions.grants;
  }

  /**
   * True when the token grants `permission`, directly or through a wildcard or a role.
   * @example auth.can('orders:create')
   */
  can(permission: string): boolean {
    return this.#permissions.has(permission);
  }

  /** True when every one of `permissions` is granted. */
  canAll(...permissions: readonly string[]): boolean {
    return permissions.every((permission) => this.#permissions.has(permission));
  }

  /** True when at least one of `permissions` is granted. */
  canAny(...permissions: readonly string[]): boolean {
    return permissions.some((permission) => this.#permissions.has(permission));
  }

  /** True when the token carries `role`. */
  hasRole(role: string): boolean {
    return this.#roles.has(role);
  }

  /** A log-safe summary (no token, no signature). */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      issuer: this.issuer,
      subject: this.subject,
      caller: this.caller,
      audience: this.audience,
      tokenId: this.tokenId,
      expiresAt: this.expiresAt,
      roles: this.roles,
      permissions: this.permissions,
      ...(this.#fields.user === undefined ? {} : { user: this.#fields.user.toJSON() }),
    };
  }
}
