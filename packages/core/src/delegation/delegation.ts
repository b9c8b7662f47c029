import { AuthConfigError, AuthError } from '../errors.js';

/**
 * Calls made on behalf of a user: the callee's context names the calling service (`auth.caller`)
 * and the verified user (`auth.user`). Two standard ways, each with its own limit so that a
 * service can never invent a user:
 *
 * - the caller forwards the user's own token in `userTokenHeader`, next to its service token in
 *   `Authorization`; the forwarded token is verified with the `users` rules;
 * - the caller sends one token obtained by token exchange (RFC 8693) whose `sub` is the user and
 *   whose `act.sub` names the calling service; only issuers listed in `tokenExchangeIssuers` may
 *   issue such tokens, any other token with an `act` claim is refused.
 */
export interface DelegationOptions {
  /** Header that carries a forwarded user token (the bare JWT). Default `'x-user-token'`; `false` turns it off. */
  readonly userTokenHeader?: string | false;
  /** Issuers trusted to issue token-exchange tokens with an `act` claim. Default none. */
  readonly tokenExchangeIssuers?: readonly string[];
}

/** @internal */
export interface CompiledDelegation {
  readonly header: string | undefined;
  readonly exchangeIssuers: ReadonlySet<string>;
}

/** @internal validates `delegation`; `issuers` are the verifier's trusted issuers. */
export function compileDelegation(
  options: DelegationOptions | undefined,
  issuers: ReadonlyMap<string, unknown>,
): CompiledDelegation | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError(
      'delegation',
      "expected { userTokenHeader?: 'x-user-token', tokenExchangeIssuers?: [...] }",
    );
  }
  const { userTokenHeader = 'x-user-token', tokenExchangeIssuers = [], ...unknown } = options;
  const extra = Object.keys(unknown)[0];
  if (extra !== undefined) throw new AuthConfigError(`delegation.${extra}`, 'unknown option');
  if (
    userTokenHeader !== false &&
    (typeof userTokenHeader !== 'string' ||
      !/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(userTokenHeader) ||
      userTokenHeader.toLowerCase() === 'authorization')
  ) {
    throw new AuthConfigError(
      'delegation.userTokenHeader',
      "expected a header name such as 'x-user-token', or false",
    );
  }
  if (!Array.isArray(tokenExchangeIssuers)) {
    throw new AuthConfigError('delegation.tokenExchangeIssuers', 'expected an array of issuers');
  }
  for (const [index, issuer] of tokenExchangeIssuers.entries()) {
    if (typeof issuer !== 'string' || !issuers.has(issuer)) {
      throw new AuthConfigError(
        `delegation.tokenExchangeIssuers[${index}]`,
        'expected one of the configured issuers',
      );
    }
  }
  return {
    header: userTokenHeader === false ? undefined : userTokenHeader.toLowerCase(),
    exchangeIssuers: new Set(tokenExchangeIssuers),
  };
}

/**
 * The calling service of a token-exchange token (`act.sub`, RFC 8693 §4.1), or undefined for a
 * token without `act`. Throws when the token has `act` but its issuer may not delegate.
 */
export function actorOf(
  payload: Readonly<Record<string, unknown>>,
  issuer: string,
  delegation: CompiledDelegation,
): string | undefined {
  const act = payload.act;
  if (act === undefined) return undefined;
  if (!delegation.exchangeIssuers.has(issuer)) {
    throw new AuthError('invalid_issuer', {
      claim: 'act',
      description: 'issuer not trusted for delegated tokens',
    });
  }
  const actor = typeof act === 'object' && act !== null ? (act as { sub?: unknown }).sub : undefined;
  if (typeof actor !== 'string' || actor === '') {
    throw new AuthError('invalid_claim', { claim: 'act', description: 'invalid act claim' });
  }
  return actor;
}
