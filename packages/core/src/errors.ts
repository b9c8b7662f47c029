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
  // 403: authenticated, but not allowed (RFC 6750 `insufficient_scope`)
  | 'caller_not_allowed'
  | 'token_kind_not_allowed'
  | 'insufficient_permission'
  | 'insufficient_role'
  | 'access_denied'
  | 'policy_denied'
  // 503: the server cannot decide right now; never reported as a bad token
  | 'keys_unavailable'
  | 'revocation_unavailable';

/** The RFC 6750 §3.1 error code that goes into `WWW-Authenticate`, if any. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

interface CodeInfo {
  readonly status: 400 | 401 | 403 | 503;
  readonly bearerError: BearerErrorCode | undefined;
  readonly description: string;
}

/** Status, RFC 6750 error and default client-safe description of each code: the one table. */
const CODES: { readonly [C in AuthErrorCode]: CodeInfo } = {
  malformed_request: {
    status: 400,
    bearerError: 'invalid_request',
    description: 'malformed authorization request',
  },
  missing_token: { status: 401, bearerError: undefined, description: 'missing bearer token' },
  malformed_token: { status: 401, bearerError: 'invalid_token', description: 'malformed token' },
  unsupported_token: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'unsupported token format',
  },
  unsupported_algorithm: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'token algorithm not allowed',
  },
  unknown_key: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'token signed with an unknown key',
  },
  invalid_signature: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'invalid token signature',
  },
  token_expired: { status: 401, bearerError: 'invalid_token', description: 'token expired' },
  token_not_active: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'token not yet valid',
  },
  token_too_old: { status: 401, bearerError: 'invalid_token', description: 'token too old' },
  lifetime_too_long: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'token lifetime too long',
  },
  invalid_issuer: { status: 401, bearerError: 'invalid_token', description: 'untrusted issuer' },
  invalid_audience: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'token not meant for this service',
  },
  invalid_token_type: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'wrong kind of token',
  },
  invalid_claim: { status: 401, bearerError: 'invalid_token', description: 'invalid token claim' },
  missing_claim: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'required claim missing',
  },
  token_revoked: { status: 401, bearerError: 'invalid_token', description: 'token revoked' },
  caller_not_allowed: {
    status: 403,
    bearerError: 'insufficient_scope',
    description: 'caller not allowed',
  },
  token_kind_not_allowed: {
    status: 403,
    bearerError: 'insufficient_scope',
    description: 'this kind of token is not allowed here',
  },
  insufficient_permission: {
    status: 403,
    bearerError: 'insufficient_scope',
    description: 'insufficient permission',
  },
  insufficient_role: {
    status: 403,
    bearerError: 'insufficient_scope',
    description: 'insufficient role',
  },
  access_denied: { status: 403, bearerError: 'insufficient_scope', description: 'access denied' },
  policy_denied: {
    status: 403,
    bearerError: 'insufficient_scope',
    description: 'access denied by policy',
  },
  keys_unavailable: {
    status: 503,
    bearerError: undefined,
    description: 'verification keys unavailable',
  },
  revocation_unavailable: {
    status: 503,
    bearerError: undefined,
    description: 'revocation status unavailable',
  },
};

/** Every stable error code, for exhaustive tests and documentation. */
export const AUTH_ERROR_CODES = Object.freeze(Object.keys(CODES) as AuthErrorCode[]);

/** The JSON body the adapters send with a rejection. */
export interface AuthErrorBody {
  /** RFC 6750 error (`invalid_request`, `invalid_token`, `insufficient_scope`), `unauthorized` or `temporarily_unavailable`. */
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
  /** The underlying error (for logs; never sent to clients). */
  readonly cause?: unknown;
  /** `realm` of the challenge. */
  readonly realm?: string;
  /** Seconds after which a 503 may be retried (`Retry-After`). */
  readonly retryAfter?: number;
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
  /** RFC 6750 error code for the challenge, if the status has one. */
  readonly bearerError: BearerErrorCode | undefined;
  /** Client-safe description, also used as `error_description`. */
  readonly description: string;
  /** The claim involved, when a claim check failed. */
  readonly claim: string | undefined;
  /** `realm` of the challenge, if configured. */
  readonly realm: string | undefined;
  /** Seconds after which a 503 may be retried. */
  readonly retryAfter: number | undefined;
  /** Response headers to send: `WWW-Authenticate` for 401/403, `Retry-After` for 503. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    const info = CODES[code];
    const description = options.description ?? info.description;
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = info.status;
    this.statusCode = info.status;
    this.bearerError = info.bearerError;
    this.description = description;
    this.claim = options.claim;
    this.realm = options.realm;
    this.retryAfter = options.retryAfter;
    this.headers = buildHeaders(info, description, options);
  }

  /** The JSON body adapters send: `{ error, error_description, code }`. */
  toJSON(): AuthErrorBody {
    return { error: bodyError(this), error_description: this.description, code: this.code };
  }
}

function bodyError(err: AuthError): string {
  if (err.bearerError) return err.bearerError;
  return err.status === 503 ? 'temporarily_unavailable' : 'unauthorized';
}

function buildHeaders(
  info: CodeInfo,
  description: string,
  options: AuthErrorOptions,
): Record<string, string> {
  if (info.status === 503) {
    return options.retryAfter === undefined
      ? {}
      : { 'Retry-After': String(Math.max(1, Math.ceil(options.retryAfter))) };
  }
  return { 'WWW-Authenticate': bearerChallenge(info.bearerError, description, options.realm) };
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
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm="${quote(realm)}"`);
  // §3.1: a request without credentials gets no error code.
  if (error !== undefined) {
    params.push(`error="${error}"`);
    if (description !== undefined) params.push(`error_description="${quote(description)}"`);
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

// RFC 6750 §3 restricts error_description to %x20-21 / %x23-5B / %x5D-7E: no quote, no backslash.
function quote(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
}

/** The same error with the challenge's `realm` set (errors are immutable). */
export function withRealm(error: AuthError, realm: string | undefined): AuthError {
  if (realm === undefined || error.realm === realm) return error;
  return new AuthError(error.code, {
    description: error.description,
    realm,
    ...(error.claim === undefined ? {} : { claim: error.claim }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
    ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
  });
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
