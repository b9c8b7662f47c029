import type { Authenticator } from '../authn/authenticator.js';
import { AuthConfigError } from '../errors.js';
import { assertKnownKeys, flag, optionKeys } from '../lib/option-checks.js';
import { createVerifier, Verifier } from '../verifier/verifier.js';
import { VERIFIER_OPTION_KEYS, type VerifierOptions } from '../verifier/verifier-options.js';

/**
 * Verifier options, or an existing `verifier` to share between several middlewares, or an
 * `authenticator` (a composition such as `anyOf(verifier, apiKeys)`, or your own): one of the three.
 */
export type VerifierOrOptions =
  | (VerifierOptions & { readonly verifier?: never; readonly authenticator?: never })
  | ({ readonly verifier: Verifier; readonly authenticator?: never } & {
      readonly [K in keyof VerifierOptions]?: never;
    })
  | ({ readonly authenticator: Authenticator; readonly verifier?: never } & {
      readonly [K in keyof VerifierOptions]?: never;
    });

/**
 * What happens to a rejection: `'respond'` answers it at once (status, `WWW-Authenticate`, JSON
 * body); `'forward'` hands the `AuthError` to the framework's error handling (Express `next(err)`,
 * Koa and Fastify a thrown error).
 */
export type OnError = 'respond' | 'forward';

/** The options every adapter adds to the core's, with the same meaning in each. */
export interface AdapterOptions {
  /** Let requests without any credentials through with no auth context; bad ones are still refused. Default `false`. */
  readonly optional?: boolean;
  /** How a rejection is answered: `'respond'` (default) or `'forward'` to the framework's error handling. */
  readonly onError?: OnError;
  /**
   * The largest signed (HMAC) body the adapter reads itself when no body parser read it, in
   * bytes; a larger one is refused 401 `body_mismatch`. Default 1 MiB.
   */
  readonly maxBodyBytes?: number;
}

/**
 * The protocol of an adapter that does not serve HTTP (`'gRPC'`): it has no error handler to
 * forward to and no HTTP method, URL or body, so HTTP-only options and mechanisms are refused.
 */
export type Transport = string;

/** 1 MiB: the default {@link AdapterOptions.maxBodyBytes}. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const ADAPTER_OPTION_KEYS = optionKeys<AdapterOptions>({ optional: true, onError: true, maxBodyBytes: true });
const ON_ERROR: readonly OnError[] = ['respond', 'forward'];
const RENAMED_ON_ERROR: Readonly<Record<string, string>> = { next: 'forward', throw: 'forward' };
const MISSING =
  'expected verifier options ({ issuers, audience }), { verifier: createVerifier(...) } or { authenticator: anyOf(...) }';

/** What an adapter runs with: one authenticator, built now, and its validated options. */
export interface ResolvedAdapterOptions<F extends string = never> {
  /** The verifier, or the `authenticator` given in its place. */
  readonly authenticator: Authenticator;
  readonly optional: boolean;
  readonly onError: OnError;
  readonly maxBodyBytes: number;
  /** The adapter's own flags (e.g. Fastify's `global`), validated, defaults applied. */
  readonly flags: Readonly<Record<F, boolean>>;
}

/**
 * Validates an adapter's options once, when the middleware is created, and builds its
 * authenticator. `flags` names the adapter's own boolean options and their defaults. An unknown
 * key is refused with the list of every option the adapter takes (its own, the adapter kit's and
 * the verifier's) and a "did you mean". An adapter of another protocol than HTTP names it as
 * `transport` (`'gRPC'`): `onError`, `maxBodyBytes`, `dpop` and DPoP or HMAC authenticators are
 * then refused, since its calls have no error handler, HTTP method, URL or body.
 *
 * @throws {AuthConfigError} naming the option
 */
export function resolveAdapterOptions<F extends string = never>(
  options: (AdapterOptions & VerifierOrOptions) | undefined,
  flags: Readonly<Record<F, boolean>> = {} as Record<F, boolean>,
  transport?: Transport,
): ResolvedAdapterOptions<F> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AuthConfigError('options', MISSING);
  }
  if (transport !== undefined) refuseHttpOptions(options, transport);
  const ownKeys = Object.keys(flags);
  assertKnownKeys(undefined, options, [
    ...ownKeys,
    ...ADAPTER_OPTION_KEYS,
    'verifier',
    'authenticator',
    ...VERIFIER_OPTION_KEYS,
  ]);
  const {
    optional,
    onError = 'respond',
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    ...rest
  } = options as unknown as AdapterOptions & Record<string, unknown>;
  if (!ON_ERROR.includes(onError)) {
    const renamed = RENAMED_ON_ERROR[onError as string];
    throw new AuthConfigError(
      'onError',
      `expected 'respond' (default) or 'forward'${renamed === undefined ? '' : ` ('${onError}' is now '${renamed}')`}`,
    );
  }
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new AuthConfigError('maxBodyBytes', 'expected a positive number of bytes, such as 1048576 (1 MiB)');
  }
  const resolvedFlags = {} as Record<F, boolean>;
  const coreOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (ownKeys.includes(key))
      resolvedFlags[key as F] = value === undefined ? flags[key as F] : flag(key, value);
    else coreOptions[key] = value;
  }
  for (const key of ownKeys as F[]) resolvedFlags[key] ??= flags[key];
  const authenticator = toAuthenticator(coreOptions);
  if (transport !== undefined) refuseHttpMechanisms(coreOptions, authenticator, transport);
  return {
    authenticator,
    optional: flag('optional', optional),
    onError,
    maxBodyBytes,
    flags: resolvedFlags,
  };
}

function toAuthenticator(options: Record<string, unknown>): Authenticator {
  if (Object.keys(options).length === 0) throw new AuthConfigError('options', MISSING);
  if ('authenticator' in options) {
    const { authenticator } = options as { authenticator?: Partial<Authenticator> };
    if (typeof authenticator?.authenticate !== 'function') {
      throw new AuthConfigError(
        'authenticator',
        'expected a Verifier, anyOf(...)/allOf(...) or an { authenticate(request) } object',
      );
    }
    if (Object.keys(options).length > 1) {
      throw new AuthConfigError(
        'authenticator',
        'pass either an authenticator, a verifier or verifier options',
      );
    }
    return authenticator as Authenticator;
  }
  if (!('verifier' in options)) return createVerifier(options as unknown as VerifierOptions);
  if (!(options.verifier instanceof Verifier)) {
    throw new AuthConfigError('verifier', 'expected a Verifier built by createVerifier()');
  }
  if (Object.keys(options).length > 1) {
    throw new AuthConfigError('verifier', 'pass either a verifier or verifier options, not both');
  }
  return options.verifier;
}

/** Why an HTTP-only mechanism cannot serve `transport`'s calls. */
function httpOnly(mechanism: 'DPoP' | 'HMAC-SHA256', transport: Transport): string {
  return mechanism === 'DPoP'
    ? `DPoP proofs sign an HTTP method and URL, which ${transport} calls do not have; bind tokens to client certificates (certificateBinding) instead`
    : `HMAC-signed requests cover an HTTP method, target and body, which ${transport} calls do not have; use tokens or client certificates`;
}

function refuseHttpOptions(options: object, transport: Transport): void {
  const given = options as Record<string, unknown>;
  if (given.onError !== undefined) {
    throw new AuthConfigError(
      'onError',
      `${transport} has no error handler to forward to: a rejection ends the call with its status`,
    );
  }
  if (given.maxBodyBytes !== undefined) {
    throw new AuthConfigError(
      'maxBodyBytes',
      `only applies to HMAC-signed HTTP bodies, which ${transport} does not accept`,
    );
  }
  if (given.dpop !== undefined) throw new AuthConfigError('dpop', httpOnly('DPoP', transport));
}

function refuseHttpMechanisms(options: object, authenticator: Authenticator, transport: Transport): void {
  const mechanism =
    authenticator.httpOnly ?? (authenticator.signsBodies === true ? 'HMAC-SHA256' : undefined);
  if (mechanism === undefined) return;
  throw new AuthConfigError(
    'verifier' in options ? 'verifier' : 'authenticator',
    httpOnly(mechanism, transport),
  );
}
