import type { AuthContext } from '../auth-context.js';
import type { RequestIdentity } from '../events.js';

/** Who a context says called, in the log-safe shape of audit events. */
export function identityOf(context: AuthContext): RequestIdentity {
  // Built member by member (no spread of temporary objects): this runs for every fresh token.
  const identity: Mutable<RequestIdentity> = {
    issuer: context.issuer,
    kind: context.kind,
    audience: context.audience,
  };
  if (context.subject !== undefined) identity.subject = context.subject;
  if (context.caller !== undefined) identity.caller = context.caller;
  if (context.tokenId !== undefined) identity.tokenId = context.tokenId;
  if (context.kind === 'service') {
    const user = context.user?.subject;
    if (user !== undefined) identity.user = user;
  }
  return identity;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
