import { AuthContext, type Claims, type Rejector } from '../auth-context.js';
import type { AuthScheme } from '../errors.js';
import { CALLER_KINDS, type CallerKind } from '../events.js';
import { PermissionSet } from '../grants/permissions.js';
import { type CompiledRoleMap, compileRoleMap, type RoleMap } from '../grants/role-map.js';
import type { TokenHeader } from '../token/decode-token.js';

/**
 * An identity established by something other than a bearer token (a framework session, another
 * provider's verifier, an API key), to turn into an {@link AuthContext}.
 */
export interface IdentityInput {
  /** Who it is: the user id, or the calling service's name. Required, non-empty. */
  readonly subject: string;
  /** `'user'` (default), `'service'`, `'mtls'` or `'hmac'`; for every kind but `user`, `caller` is the subject. */
  readonly kind?: CallerKind;
  /** Role names; expanded through the role map like a token's role claim. Default none. */
  readonly roles?: readonly string[];
  /** Permissions granted directly (`orders:read`, `orders:*`, `*`). Default none. */
  readonly permissions?: readonly string[];
  /** Extra claims, visible as `auth.claims` (log-safe values only). Default none. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** What vouched for the identity, as `auth.issuer`. Default `'session'`. */
  readonly issuer?: string;
  /** Expiry in seconds since the epoch, as `auth.expiresAt`. Default: none known (`Infinity`). */
  readonly expiresAt?: number;
}

/** Who accepted an identity: the scheme of its credentials and the authenticator's rejector. */
export interface ContextOrigin {
  readonly scheme: AuthScheme;
  readonly rejector: Rejector | undefined;
}

const UNOWNED: ContextOrigin = { scheme: 'Bearer', rejector: undefined };

/** @internal builds a context with an already compiled role map (the verifier's). */
export function buildAuthContext(
  input: IdentityInput,
  roles: CompiledRoleMap,
  origin: ContextOrigin = UNOWNED,
): AuthContext {
  if (
    typeof input !== 'object' ||
    input === null ||
    typeof input.subject !== 'string' ||
    input.subject === ''
  ) {
    throw new TypeError('an identity needs a non-empty string subject, such as { subject: "alice" }');
  }
  const kind = input.kind ?? 'user';
  if (!CALLER_KINDS.includes(kind)) {
    throw new TypeError(`identity kind must be one of ${CALLER_KINDS.join(', ')}`);
  }
  const issuer = input.issuer ?? 'session';
  const expiresAt = input.expiresAt ?? Number.POSITIVE_INFINITY;
  const roleNames = Object.freeze([...(input.roles ?? [])].filter((role) => typeof role === 'string'));
  let permissions = new PermissionSet(input.permissions ?? []);
  for (const role of roleNames) {
    const granted = roles.get(role);
    if (granted !== undefined) permissions = permissions.union(granted);
  }
  const claims = Object.freeze({ ...input.claims, iss: issuer, sub: input.subject, aud: [], exp: expiresAt });
  return new AuthContext({
    kind,
    scheme: origin.scheme,
    rejector: origin.rejector,
    issuer,
    subject: input.subject,
    caller: kind === 'user' ? undefined : input.subject,
    audience: Object.freeze([]),
    tokenId: undefined,
    expiresAt,
    claims: claims as unknown as Claims,
    header: Object.freeze({}) as TokenHeader,
    roles: roleNames,
    permissions,
  });
}

/**
 * Builds an {@link AuthContext} from an identity established elsewhere, for a custom
 * authenticator (see `anyOf`). The verifier's `sessions` hook does this for you.
 *
 * @example
 * ```ts
 * const apiKeys: Authenticator = {
 *   async authenticate(request) {
 *     const key = request.headers['x-api-key'];
 *     if (key === undefined) return undefined; // no credentials of this kind
 *     const client = await lookUp(key); // throw an AuthError when the key is wrong
 *     return createAuthContext({ kind: 'service', subject: client.name, issuer: 'api-keys', permissions: client.permissions });
 *   },
 * };
 * ```
 * @throws {TypeError} when the subject is missing or the kind unknown
 */
export function createAuthContext(
  input: IdentityInput,
  options: { readonly roles?: RoleMap } = {},
): AuthContext {
  return buildAuthContext(input, compileRoleMap('roles', options.roles));
}
