import { AuthError } from '../errors.js';
import { optionalFunction } from '../lib/option-checks.js';
import {
  bearerCredential,
  DEFAULT_MAX_TOKEN_LENGTH,
  extractBearerToken,
  validateExtractionOptions,
} from './extract-bearer-token.js';
import type { RequestLike } from './request.js';

/** The verifier options that say where the token is found in a request. */
export interface ExtractionOptions {
  /** Largest accepted token, in bytes. Default `8192`. */
  readonly maxTokenLength?: number;
  /** Query parameter that may carry the token, or `false` (default). */
  readonly queryParameter?: string | false;
  /** Replaces the `Authorization: Bearer` extraction (read another header, a cookie, ...). */
  readonly extractToken?: (request: RequestLike) => string | undefined;
}

/** {@link ExtractionOptions}, compiled: the extraction step of the pipeline. */
export interface TokenExtraction {
  readonly maxTokenLength: number;
  readonly queryParameter: string | false;
  /** True when `extractToken` replaces the built-in extraction. */
  readonly custom: boolean;
  /**
   * The request's token, or `undefined` when it has none.
   * @throws {AuthError} `malformed_request` for a malformed `Authorization` header or a token too large
   */
  extract(request: RequestLike): string | undefined;
  /**
   * The request's token for a verified-token cache look-up, or `undefined`; never throws. It
   * skips only checks that every cached token passes (see `bearerCredential`), so a token it
   * returns that is in the cache is exactly what {@link TokenExtraction.extract} would return.
   */
  candidate(request: RequestLike): string | undefined;
}

/** @throws {AuthConfigError} naming the option */
export function compileExtraction(options: ExtractionOptions): TokenExtraction {
  validateExtractionOptions(
    {
      ...(options.maxTokenLength === undefined ? {} : { maxTokenLength: options.maxTokenLength }),
      ...(options.queryParameter === undefined ? {} : { queryParameter: options.queryParameter }),
    },
    'options',
  );
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  const queryParameter = options.queryParameter ?? false;
  const custom = optionalFunction('extractToken', options.extractToken);
  const bearer = { maxTokenLength, queryParameter };
  const extract =
    custom === undefined
      ? (request: RequestLike) => extractBearerToken(request, bearer)
      : (request: RequestLike) => {
          const token = custom(request);
          if (token !== undefined && typeof token !== 'string') {
            throw new TypeError('extractToken must return a string or undefined');
          }
          if (token === '') return undefined;
          if (token !== undefined && token.length > maxTokenLength) {
            throw new AuthError('malformed_request', { description: 'token too large' });
          }
          return token;
        };
  return {
    maxTokenLength,
    queryParameter,
    custom: custom !== undefined,
    extract,
    // The header alone, without the character check, unless the token may be elsewhere too (a
    // query string: one in both places is refused) or is found by the application's function.
    candidate:
      custom === undefined && queryParameter === false
        ? (request) => bearerCredential(request, maxTokenLength)
        : (request) => {
            try {
              return extract(request);
            } catch {
              return undefined;
            }
          },
  };
}
