import type { RejectionDetail } from './explain/rejection-detail.js';

/**
 * Every way a request can fail authentication or authorization, as a stable code.
 *
 * The code never changes meaning between releases; branch on it, not on messages.
 */
export type AuthErrorCode =
  // 400: the request itself is malformed (RFC 6750 `invalid_request`)
  | 'malformed_request'
  // 401: no credentials at all (RFC 6750 §3.1: no error code in the challenge)
  | 'missing_token'
  // 401: the credentials are not acceptable (RFC 6750 `invalid_token`)
  | 'malformed_token'
  | 'unsupported_token'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'invalid_signature'
  | 'token_expired'
  | 'token_not_active'
  | 'token_too_old'
  | 'lifetime_too_long'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'invalid_token_type'
  | 'invalid_claim'
  | 'missing_claim'
  | 'token_revoked'
  // 401: the request was signed or bound, and that proof failed
  | 'request_expired'
  | 'replayed_request'
  | 'body_mismatch'
  | 'client_certificate_required'
  | 'untrusted_certificate'
  | 'certificate_mismatch'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  // 403: authenticated, but not allowed (RFC 6750 `insufficient_scope`)
  | 'caller_not_allowed'
  | 'token_kind_not_allowed'
  | 'insufficient_permission'
  | 'insufficient_role'
  | 'access_denied'
  | 'policy_denied'
  // 503: the server cannot decide right now; never reported as a bad token
  | 'keys_unavailable'
  | 'revocation_unavailable'
  | 'replay_check_unavailable';

/** The RFC 6750 §3.1 error codes of a `Bearer` challenge. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** The `error` of a challenge: RFC 6750's, or RFC 9449's for DPoP proofs. */
export type ChallengeErrorCode = BearerErrorCode | 'invalid_dpop_proof' | 'use_dpop_nonce';

/**
 * The authentication scheme a rejection challenges the client with (`WWW-Authenticate`):
 * `Bearer` (RFC 6750), `DPoP` (RFC 9449), `HMAC-SHA256` (signed requests, see `createHmacAuthenticator`)
 * or `mTLS` (client certificates, which have no HTTP scheme of their own).
 */
export type AuthScheme = 'Bearer' | 'DPoP' | 'HMAC-SHA256' | 'mTLS';

interface CodeInfo {
  readonly status: 400 | 401 | 403 | 503;
  readonly challengeError: ChallengeErrorCode | undefined;
  readonly description: string;
  /** The scheme when the code belongs to one; `Bearer` otherwise, unless the error names another. */
  readonly scheme?: AuthScheme;
}

/** Status, RFC 6750 error and default client-safe description of each code: the one table. */
const CODES: { readonly [C in AuthErrorCode]: CodeInfo } = {
  malformed_request: {
    status: 400,
    challengeError: 'invalid_request',
    description: 'malformed authorization request',
  },
  missing_token: { status: 401, challengeError: undefined, description: 'missing bearer token' },
  malformed_token: { status: 401, challengeError: 'invalid_token', description: 'malformed token' },
  unsupported_token: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'unsupported token format',
  },
  unsupported_algorithm: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'token algorithm not allowed',
  },
  unknown_key: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'token signed with an unknown key',
  },
  invalid_signature: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'invalid token signature',
  },
  token_expired: { status: 401, challengeError: 'invalid_token', description: 'token expired' },
  token_not_active: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'token not yet valid',
  },
  token_too_old: { status: 401, challengeError: 'invalid_token', description: 'token too old' },
  lifetime_too_long: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'token lifetime too long',
  },
  invalid_issuer: { status: 401, challengeError: 'invalid_token', description: 'untrusted issuer' },
  invalid_audience: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'token not meant for this service',
  },
  invalid_token_type: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'wrong kind of token',
  },
  invalid_claim: { status: 401, challengeError: 'invalid_token', description: 'invalid token claim' },
  missing_claim: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'required claim missing',
  },
  token_revoked: { status: 401, challengeError: 'invalid_token', description: 'token revoked' },
  request_expired: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'request timestamp outside the allowed window',
  },
  replayed_request: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'request already seen',
  },
  body_mismatch: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'request body does not match its signature',
  },
  client_certificate_required: {
    status: 401,
    challengeError: undefined,
    description: 'client certificate required',
    scheme: 'mTLS',
  },
  untrusted_certificate: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'client certificate not trusted',
    scheme: 'mTLS',
  },
  certificate_mismatch: {
    status: 401,
    challengeError: 'invalid_token',
    description: 'token is bound to another client certificate',
  },
  invalid_dpop_proof: {
    status: 401,
    challengeError: 'invalid_dpop_proof',
    description: 'invalid DPoP proof',
    scheme: 'DPoP',
  },
  use_dpop_nonce: {
    status: 401,
    challengeError: 'use_dpop_nonce',
    description: 'DPoP proof needs the server nonce',
    scheme: 'DPoP',
  },
  caller_not_allowed: {
    status: 403,
    challengeError: 'insufficient_scope',
    description: 'caller not allowed',
  },
  token_kind_not_allowed: {
    status: 403,
    challengeError: 'insufficient_scope',
    description: 'this kind of token is not allowed here',
  },
  insufficient_permission: {
    status: 403,
    challengeError: 'insufficient_scope',
    description: 'insufficient permission',
  },
  insufficient_role: {
    status: 403,
    challengeError: 'insufficient_scope',
    description: 'insufficient role',
  },
  access_denied: { status: 403, challengeError: 'insufficient_scope', description: 'access denied' },
  policy_denied: {
    status: 403,
    challengeError: 'insufficient_scope',
    description: 'access denied by policy',
  },
  keys_unavailable: {
    status: 503,
    challengeError: undefined,
    description: 'verification keys unavailable',
  },
  revocation_unavailable: {
    status: 503,
    challengeError: undefined,
    description: 'revocation status unavailable',
  },
  replay_check_unavailable: {
    status: 503,
    challengeError: undefined,
    description: 'replay protection unavailable',
  },
};

/** Every stable error code, for exhaustive tests and documentation. */
export const AUTH_ERROR_CODES = Object.freeze(Object.keys(CODES) as AuthErrorCode[]);

/** The JSON body the adapters send with a rejection. */
export interface AuthErrorBody {
  /**
   * The challenge's error (`invalid_request`, `invalid_token`, `insufficient_scope`, and for DPoP
   * `invalid_dpop_proof`, `use_dpop_nonce`), `unauthorized` or `temporarily_unavailable`.
   */
  readonly error: string;
  /** A short, client-safe explanation such as `token expired`. */
  readonly error_description: string;
  /** The fine-grained stable code. */
  readonly code: AuthErrorCode;
}

/** Options of {@link AuthError}. */
export interface AuthErrorOptions {
  /** Client-safe description; defaults to the code's standard description. Never put token or key material here. */
  readonly description?: string;
  /** The claim involved, for claim failures (`exp`, `aud`, ...). */
  readonly claim?: string;
  /** What was found and expected, safe to log; never sent to clients. */
  readonly detail?: RejectionDetail;
  /** The underlying error (for logs; never sent to clients). */
  readonly cause?: unknown;
  /** `realm` of the challenge. */
  readonly realm?: string;
  /** Seconds after which a 503 may be retried (`Retry-After`). */
  readonly retryAfter?: number;
  /** The challenge's scheme; defaults to the code's own (`DPoP` codes, `mTLS` codes) or `Bearer`. */
  readonly scheme?: AuthScheme;
  /** Extra challenge parameters, e.g. `{ algs: 'ES256 EdDSA' }` for DPoP. Values are quoted. */
  readonly challengeParams?: Readonly<Record<string, string>>;
  /** Extra response headers, e.g. `DPoP-Nonce` with `use_dpop_nonce`. */
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /**
   * Further challenges, already formatted (see {@link challenge}), appended to `WWW-Authenticate`
   * after this error's own, e.g. `DPoP algs="ES256"` next to a Bearer challenge (RFC 9449 §7.2).
   */
  readonly additionalChallenges?: readonly string[];
}

/**
 * The single error type of the library: thrown (or returned) for every rejected request.
 *
 * It carries its HTTP meaning (`status`, `statusCode`, `expose`, `headers`), so Express's
 * default handler, Koa's `ctx.onerror` and Fastify's error handler render it correctly.
 * Its message is safe to show to the client: it never contains the token, a key or a secret.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verify(token);
 * } catch (err) {
 *   if (isAuthError(err) && err.code === 'token_expired') refreshAndRetry();
 * }
 * ```
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  /** Stable, fine-grained error code. */
  readonly code: AuthErrorCode;
  /** HTTP status: 400, 401, 403 or 503. */
  readonly status: 400 | 401 | 403 | 503;
  /** Same as {@link AuthError.status}, for frameworks that read `statusCode`. */
  readonly statusCode: 400 | 401 | 403 | 503;
  /** Always true: the message is safe to send to clients (Koa reads this). */
  readonly expose = true;
  /** The challenge's error code (RFC 6750, or RFC 9449 for DPoP), if the status has one. */
  readonly challengeError: ChallengeErrorCode | undefined;
  /** The scheme of the `WWW-Authenticate` challenge. */
  readonly scheme: AuthScheme;
  /** Client-safe description, also used as `error_description`. */
  readonly description: string;
  /** The claim involved, when a claim check failed. */
  readonly claim: string | undefined;
  /** `realm` of the challenge, if configured. */
  readonly realm: string | undefined;
  /**
   * What was found and expected (issuer, audience, `kid`, `alg`, times), safe to log and carried
   * by the `rejected` event; never sent to clients.
   */
  readonly detail: RejectionDetail | undefined;
  /** Seconds after which a 503 may be retried. */
  readonly retryAfter: number | undefined;
  /** Response headers to send: `WWW-Authenticate` for 401/403, `Retry-After` for 503, and extras such as `DPoP-Nonce`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly #options: AuthErrorOptions;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    const info = CODES[code];
    const description = options.description ?? info.description;
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = info.status;
    this.statusCode = info.status;
    this.challengeError = info.challengeError;
    this.scheme = options.scheme ?? info.scheme ?? 'Bearer';
    this.description = description;
    this.claim = options.claim;
    this.realm = options.realm;
    this.detail = options.detail;
    this.retryAfter = options.retryAfter;
    this.#options = options;
    this.headers = buildHeaders(info, this.scheme, description, options);
  }

  /** The JSON body adapters send: `{ error, error_description, code }`. */
  toJSON(): AuthErrorBody {
    return { error: bodyError(this), error_description: this.description, code: this.code };
  }

  /** The same error with some options changed (errors are immutable). */
  with(options: AuthErrorOptions): AuthError {
    return new AuthError(this.code, { ...this.#options, description: this.description, ...options });
  }
}

function bodyError(err: AuthError): string {
  if (err.challengeError) return err.challengeError;
  return err.status === 503 ? 'temporarily_unavailable' : 'unauthorized';
}

function buildHeaders(
  info: CodeInfo,
  scheme: AuthScheme,
  description: string,
  options: AuthErrorOptions,
): Record<string, string> {
  const extra = options.extraHeaders ?? {};
  if (info.status === 503) {
    return options.retryAfter === undefined
      ? { ...extra }
      : { ...extra, 'Retry-After': String(Math.max(1, Math.ceil(options.retryAfter))) };
  }
  return {
    ...extra,
    'WWW-Authenticate': [
      challenge(scheme, info.challengeError, description, options.realm, options.challengeParams),
      ...(options.additionalChallenges ?? []),
    ].join(', '),
  };
}

/**
 * Builds a `WWW-Authenticate` value such as
 * `DPoP realm="orders", error="invalid_dpop_proof", error_description="proof expired", algs="ES256"`.
 * Without an error (no credentials sent), only the realm and the extra parameters are given.
 */
export function challenge(
  scheme: AuthScheme,
  error: ChallengeErrorCode | undefined,
  description?: string,
  realm?: string,
  params: Readonly<Record<string, string>> = {},
): string {
  const parts: string[] = [];
  if (realm !== undefined) parts.push(`realm="${quote(realm)}"`);
  if (error !== undefined) {
    parts.push(`error="${error}"`);
    if (description !== undefined) parts.push(`error_description="${quote(description)}"`);
  }
  for (const [name, value] of Object.entries(params)) parts.push(`${name}="${quote(value)}"`);
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}

/**
 * Builds an RFC 6750 §3 `WWW-Authenticate` value such as
 * `Bearer realm="orders", error="invalid_token", error_description="token expired"`.
 */
export function bearerChallenge(
  error: BearerErrorCode | undefined,
  description?: string,
  realm?: string,
): string {
  return challenge('Bearer', error, description, realm);
}

// RFC 6750 §3 restricts error_description to %x20-21 / %x23-5B / %x5D-7E: no quote, no backslash.
function quote(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
}

/** The same error with the challenge's `realm` set (errors are immutable). */
export function withRealm(error: AuthError, realm: string | undefined): AuthError {
  if (realm === undefined || error.realm === realm) return error;
  return error.with({ realm });
}

/** True when `value` is an {@link AuthError}, also across duplicated copies of this package. */
export function isAuthError(value: unknown): value is AuthError {
  return (
    value instanceof AuthError ||
    (value instanceof Error &&
      value.name === 'AuthError' &&
      typeof (value as unknown as { code?: unknown }).code === 'string' &&
      (value as unknown as { code: string }).code in CODES)
  );
}

/**
 * Thrown at construction time when an option is invalid. The message names the option and
 * says what to change; it is a `TypeError` so it is never confused with a rejected request.
 */
export class AuthConfigError extends TypeError {
  override readonly name = 'AuthConfigError';
  /** Stable code for configuration errors. */
  readonly code = 'invalid_configuration';
  /** The option path, e.g. `issuers[0].jwksUri`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}
