import { AuthConfigError } from '../errors.js';
import { CallerPatterns } from '../grants/caller-patterns.js';
import { type Duration, toSeconds } from '../lib/duration.js';
import { assertKnownKeys, claimName, claimNames, nonEmptyString, optionKeys } from '../lib/option-checks.js';

/** The two kinds of token: service tokens carry the service marker claim, user tokens do not. */
export type TokenKind = 'service' | 'user';

/** Rules for one kind of token (service or user). Unset fields fall back to the top level. */
export interface TokenRules {
  /** Issuers (their `issuer` strings) whose tokens of this kind are accepted. Default: all. */
  readonly issuers?: readonly string[];
  /** Accepted audiences for this kind. Default: the top-level `audience`. */
  readonly audience?: string | readonly string[];
  /** Required `typ` header, e.g. `'at+jwt'` (compared as RFC 8725 §3.11 says). */
  readonly typ?: string;
  /** Claims that must be present. */
  readonly requiredClaims?: readonly string[];
  /** Largest age of a token, from its `iat` (which it then must have). */
  readonly maxTokenAge?: Duration;
  /**
   * Accept tokens whose `aud` names several audiences. Default `false` for service tokens (any
   * of the audiences could replay it) and `true` for user tokens.
   */
  readonly allowMultipleAudiences?: boolean;
}

/** Rules for service tokens. */
export interface ServiceTokenRules extends TokenRules {
  /**
   * Calling services allowed to call this service: exact identities (`'orders'`) or prefixes
   * ending in `/*` or `:*` (`'spiffe://prod/ns/billing/*'`). Default: every caller.
   */
  readonly callers?: readonly string[];
  /** The claim that names the calling service: `'sub'` (default), `'azp'`, `'client_id'`, ... */
  readonly callerClaim?: string;
}

/** The verifier options that decide which tokens are acceptable, by claims. */
export interface ClaimOptions {
  /**
   * The audience(s) this service answers to, matched exactly against the token's `aud`.
   * Required unless every accepted kind sets its own.
   */
  readonly audience?: string | readonly string[];
  /** Service-token rules, `true` for the defaults, or `false` to refuse service tokens. Default `true`. */
  readonly services?: ServiceTokenRules | boolean;
  /** User-token rules, `true` for the defaults, or `false` to refuse user tokens. Default `false`. */
  readonly users?: TokenRules | boolean;
  /**
   * The claim that marks service tokens. Default `{ claim: 'source', value: 'microservice' }`.
   * A token carrying it is a service token; any other token is a user token.
   */
  readonly serviceMarker?: { readonly claim: string; readonly value: string | number | boolean };
  /** Leeway for `exp`, `nbf` and `iat`. Default `'5s'`. */
  readonly clockTolerance?: Duration;
  /**
   * Largest accepted lifetime: `exp` minus `iat` (or minus now, without `iat`). Default `'24h'`.
   * To admit long-lived legacy tokens, raise it explicitly, e.g. `maxLifetime: '10y'`.
   */
  readonly maxLifetime?: Duration;
  /** Largest token age from `iat`, for every kind. Default: none. */
  readonly maxTokenAge?: Duration;
  /** Required `typ` header for every kind. Default: none. */
  readonly typ?: string;
  /** Claims every token must carry. Default: none. */
  readonly requiredClaims?: readonly string[];
}

const RULE_FIELDS = {
  issuers: true,
  audience: true,
  typ: true,
  requiredClaims: true,
  maxTokenAge: true,
  allowMultipleAudiences: true,
} as const satisfies Record<keyof TokenRules, true>;
const RULE_OPTIONS = optionKeys<TokenRules>(RULE_FIELDS);
const SERVICE_RULE_OPTIONS = optionKeys<ServiceTokenRules>({
  ...RULE_FIELDS,
  callers: true,
  callerClaim: true,
});

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

/** Everything the claim checks need, compiled from {@link ClaimOptions}. */
export interface ClaimRules {
  readonly service: CompiledRules | undefined;
  readonly user: CompiledRules | undefined;
  readonly markerClaim: string;
  readonly markerValue: string | number | boolean;
  /** Seconds. */
  readonly clockTolerance: number;
  /** Seconds. */
  readonly maxLifetime: number;
}

/**
 * Validates {@link ClaimOptions} against the trusted issuers and compiles them.
 *
 * @throws {AuthConfigError} naming the option and saying what to change
 */
export function compileClaimRules(options: ClaimOptions, trusted: ReadonlySet<string>): ClaimRules {
  const audience = optionalAudience('audience', options.audience);
  const service = compileRules('service', 'services', options.services ?? true);
  const user = compileRules('user', 'users', options.users ?? false);
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
  return {
    service,
    user,
    markerClaim: marker.claim,
    markerValue: marker.value,
    clockTolerance: toSeconds('clockTolerance', options.clockTolerance ?? 5),
    maxLifetime: toSeconds('maxLifetime', options.maxLifetime ?? '24h', { allowZero: false }),
  };

  function compileRules(
    kind: TokenKind,
    option: string,
    value: ServiceTokenRules | TokenRules | boolean,
  ): CompiledRules | undefined {
    if (value === false) return undefined;
    if (value !== true && (typeof value !== 'object' || value === null)) {
      throw new AuthConfigError(option, 'expected true, false or an object of rules');
    }
    const rules: ServiceTokenRules = value === true ? {} : value;
    assertKnownKeys(option, rules, kind === 'service' ? SERVICE_RULE_OPTIONS : RULE_OPTIONS);
    const ruleAudience = optionalAudience(`${option}.audience`, rules.audience) ?? audience;
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
