import type { AuthContext } from '../auth-context.js';
import type { RequestIdentity } from '../events.js';

/** Who a context says called, in the log-safe shape of audit events. */
export function identityOf(context: AuthContext): RequestIdentity {
  return {
    issuer: context.issuer,
    kind: context.kind,
    audience: context.audience,
    ...(context.subject === undefined ? {} : { subject: context.subject }),
    ...(context.caller === undefined ? {} : { caller: context.caller }),
    ...(context.tokenId === undefined ? {} : { tokenId: context.tokenId }),
    ...(context.kind === 'service' && context.user?.subject !== undefined
      ? { user: context.user.subject }
      : {}),
  };
}
