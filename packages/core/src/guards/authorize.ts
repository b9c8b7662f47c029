import type { AuthContext, PolicyEvaluator } from '../auth-context.js';
import type { Authenticator } from '../authn/authenticator.js';
import { AuthConfigError } from '../errors.js';
import { isPermission } from '../grants/permissions.js';
import { type Policy, PolicyEngine } from '../policies/policies.js';
import type { RequestLike } from '../token/request.js';
import { refuse } from './guards.js';

/** Options of {@link authorize}. `I` is what the adapter hands the loader (its request or context). */
export interface AuthorizeOptions<I = unknown, R = unknown> {
  /** Loads the route's resource once; the policies see it and the handler gets it. Default: none. */
  readonly resource?: (input: I) => R | Promise<R>;
  /** Policies for this route only, instead of the verifier's `policies`. */
  readonly policies?: readonly Policy[];
}

/**
 * An action check made by {@link authorize}: resolves to the loaded resource, or rejects with
 * 401 `missing_token` or 403 `policy_denied`. Adapters call it with their request as `input`.
 */
export interface Authorizer<I = unknown, R = unknown> {
  (
    auth: AuthContext | undefined,
    input: I,
    request?: RequestLike,
    authenticator?: Authenticator,
  ): Promise<R | undefined>;
  readonly requirement: string;
}

/**
 * Checks an action against attribute-based policies (the verifier's `policies`, or the given
 * ones): deny overrides allow; nothing allowing is 403 `policy_denied` with the reason. The
 * resource loader runs once per request, after authentication; a loader error is passed through
 * untouched (so a 404 of yours stays a 404). Which verifier's policies apply is known only per
 * request, so a verifier without `policies` is found at the first request; the adapters'
 * `serviceAuth(...).authorize()` knows its verifier and finds it when the route is declared.
 *
 * @example authorize('documents:read', { resource: (req) => documents.get(req.params.id) })
 * @throws {AuthConfigError} for a malformed action, loader or policy list
 */
export function authorize<I = unknown, R = unknown>(
  action: string,
  options: AuthorizeOptions<I, R> = {},
): Authorizer<I, R> {
  return createAuthorizer(action, options, undefined);
}

/**
 * @internal {@link authorize} for the requests of one authenticator, whose `policies` are known
 * now: a route that would have no policies is refused when it is declared.
 *
 * @throws {AuthConfigError} also when neither `options.policies` nor `policies` are given
 */
export function authorizeWith<I = unknown, R = unknown>(
  policies: PolicyEvaluator | undefined,
  action: string,
  options: AuthorizeOptions<I, R> = {},
): Authorizer<I, R> {
  const authorizer = createAuthorizer(action, options, policies);
  if (policies === undefined && options.policies === undefined) throw missingPolicies(action);
  return authorizer;
}

function missingPolicies(action: unknown): AuthConfigError {
  return new AuthConfigError(
    'policies',
    `authorize('${String(action)}') needs policies: createVerifier({ policies }) or authorize(action, { policies })`,
  );
}

function createAuthorizer<I, R>(
  action: string,
  options: AuthorizeOptions<I, R>,
  bound: PolicyEvaluator | undefined,
): Authorizer<I, R> {
  if (!isPermission(action)) {
    throw new AuthConfigError('authorize', 'expected a concrete action such as "documents:read"');
  }
  const { resource: load, policies } = options;
  if (load !== undefined && typeof load !== 'function') {
    throw new AuthConfigError('authorize.resource', 'expected a loader function (request) => resource');
  }
  const local = policies === undefined ? undefined : new PolicyEngine(policies, 'authorize.policies');
  const requirement = `action ${action}`;
  const check = async (
    auth: AuthContext | undefined,
    input: I,
    request?: RequestLike,
    authenticator?: Authenticator,
  ) => {
    if (auth === undefined) throw refuse(undefined, authenticator, 'missing_token', requirement);
    const rejector = auth.rejector ?? authenticator?.rejector;
    const engine = local ?? rejector?.policies ?? bound;
    if (engine === undefined) throw missingPolicies(action);
    const resource = load === undefined ? undefined : await load(input);
    const outcome = await engine.evaluate({
      auth,
      action,
      resource,
      environment: { now: new Date((rejector?.now ?? Date.now)()), request },
    });
    if (!outcome.allowed) {
      throw refuse(auth, authenticator, 'policy_denied', requirement, {
        description: outcome.reason,
        policy: outcome.policy,
      });
    }
    return resource;
  };
  return Object.assign(check, { requirement });
}
