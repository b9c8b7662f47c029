import type { AuthContext } from '../auth-context.js';
import { AuthConfigError } from '../errors.js';
import { isGrant, PermissionSet } from '../grants/permissions.js';
import type { RequestLike } from '../token/request.js';

/** What a policy decides: allow, deny (with a short, client-safe reason) or abstain (`undefined`). */
export type PolicyDecision =
  | 'allow'
  | 'deny'
  | 'abstain'
  | { readonly effect: 'allow' | 'deny'; readonly reason?: string }
  | undefined;

/** What a policy sees. `R` is the route's resource, as its loader returns it. */
export interface PolicyContext<R = unknown> {
  readonly auth: AuthContext;
  /** The action of the route, e.g. `documents:read`. */
  readonly action: string;
  /** The route's loaded resource; `undefined` when the route has no loader. */
  readonly resource: R;
  readonly environment: {
    /** The verifier's clock. */
    readonly now: Date;
    readonly request: RequestLike | undefined;
  };
}

/**
 * An attribute-based rule, for what permissions cannot express (owner access, business hours,
 * tenant boundaries). Policies may be async.
 *
 * @example
 * ```ts
 * const owner: Policy<{ ownerId: string }> = {
 *   name: 'owner',
 *   actions: ['documents:*'],
 *   decide: ({ auth, resource }) => (resource.ownerId === auth.user?.subject ? 'allow' : undefined),
 * };
 * ```
 */
export interface Policy<R = unknown> {
  /** A name for audit events, e.g. `owner`. */
  readonly name: string;
  /** The actions it applies to: exact ones or prefix grants (`payments:*`, `*`). Default: every action. */
  readonly actions?: readonly string[];
  decide(context: PolicyContext<R>): PolicyDecision | Promise<PolicyDecision>;
}

/** The outcome of evaluating the policies for one request. */
export interface PolicyOutcome {
  readonly allowed: boolean;
  /** Client-safe reason of a denial. */
  readonly reason: string;
  /** The policy that decided (allow: the first allowing one; deny: the denying one). */
  readonly policy: string | undefined;
}

const MAX_REASON = 120;

/**
 * Evaluates policies: a deny overrides every allow; nothing allowing means deny ("no policy
 * allows this action"). Policies that apply to the action run in order; the first deny stops.
 */
export class PolicyEngine {
  readonly #policies: readonly { readonly policy: Policy; readonly actions: PermissionSet | undefined }[];

  /** @throws {AuthConfigError} for a malformed policy */
  constructor(policies: readonly Policy[], option = 'policies') {
    if (!Array.isArray(policies)) throw new AuthConfigError(option, 'expected an array of policies');
    this.#policies = policies.map((policy: Policy, index) => {
      const at = `${option}[${index}]`;
      if (typeof policy !== 'object' || policy === null || typeof policy.decide !== 'function') {
        throw new AuthConfigError(at, 'expected { name, actions?, decide(context) }');
      }
      if (typeof policy.name !== 'string' || policy.name === '')
        throw new AuthConfigError(`${at}.name`, 'expected a name');
      const { actions } = policy;
      if (actions !== undefined && (!Array.isArray(actions) || !actions.every((action) => isGrant(action)))) {
        throw new AuthConfigError(
          `${at}.actions`,
          'expected actions such as "documents:read", "payments:*" or "*"',
        );
      }
      return { policy, actions: actions === undefined ? undefined : new PermissionSet(actions) };
    });
  }

  /** Decides one request. A policy that throws fails the request with its error. */
  async evaluate(context: PolicyContext): Promise<PolicyOutcome> {
    let allowedBy: string | undefined;
    for (const { policy, actions } of this.#policies) {
      if (actions !== undefined && !actions.has(context.action)) continue;
      const decision = await policy.decide(context);
      const effect = typeof decision === 'object' ? decision.effect : decision;
      if (effect === 'deny') {
        const given = typeof decision === 'object' ? decision.reason : undefined;
        const reason =
          typeof given === 'string' && given !== '' ? given.slice(0, MAX_REASON) : `denied by ${policy.name}`;
        return { allowed: false, reason, policy: policy.name };
      }
      if (effect === 'allow') allowedBy ??= policy.name;
    }
    return allowedBy === undefined
      ? { allowed: false, reason: 'no policy allows this action', policy: undefined }
      : { allowed: true, reason: '', policy: allowedBy };
  }
}

/** A deny with a short, client-safe reason (it goes to the response and the audit event). */
export function deny(reason?: string): PolicyDecision {
  return reason === undefined ? { effect: 'deny' } : { effect: 'deny', reason };
}

/** An allow. */
export function allow(): PolicyDecision {
  return 'allow';
}
