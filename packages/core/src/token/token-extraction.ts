import { AuthError } from '../errors.js';
import { optionalFunction } from '../lib/option-checks.js';
import {
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
  return {
    maxTokenLength,
    queryParameter,
    custom: custom !== undefined,
    extract:
      custom === undefined
        ? (request) => extractBearerToken(request, bearer)
        : (request) => {
            const token = custom(request);
            if (token !== undefined && typeof token !== 'string') {
              throw new TypeError('extractToken must return a string or undefined');
            }
            if (token === '') return undefined;
            if (token !== undefined && token.length > maxTokenLength) {
              throw new AuthError('malformed_request', { description: 'token too large' });
            }
            return token;
          },
  };
}
