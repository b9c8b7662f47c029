import type { Authenticator } from '../authn/authenticator.js';
import { createVerifier, Verifier } from '../authn/verifier.js';
import { AuthConfigError } from '../errors.js';
import type { VerifierOptions } from '../options/verifier-options.js';

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

/** The options every adapter adds to the core's. `M` is the adapter's set of rejection modes. */
export interface AdapterOptions<M extends string> {
  /** Let requests without any token through with no auth context; bad tokens are still refused. Default `false`. */
  readonly optional?: boolean;
  /** How a rejection is answered; each adapter documents its modes. The first mode is the default. */
  readonly onError?: M;
}

/** What an adapter needs to run: one verifier, built now, and its validated options. */
export interface ResolvedAdapterOptions<M extends string> {
  /** The verifier, or the `authenticator` given in its place. */
  readonly verifier: Authenticator;
  readonly optional: boolean;
  readonly onError: M;
  /** The adapter's own extra options named in `ownOptions`, not yet validated (e.g. Fastify's `global`). */
  readonly own: Readonly<Record<string, unknown>>;
}

/**
 * Splits an adapter's options into its own and the core's, validates them and builds the
 * verifier once, so that option errors surface when the middleware is created, not per request.
 * `modes` lists the adapter's `onError` values; the first one is the default.
 *
 * @throws {AuthConfigError} naming the option
 */
export function resolveAdapterOptions<M extends string>(
  options: AdapterOptions<M> & VerifierOrOptions,
  modes: readonly [M, ...M[]],
  ownOptions: readonly string[] = [],
): ResolvedAdapterOptions<M> {
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError(
      'options',
      'expected an options object with at least issuers and audience, or { verifier }',
    );
  }
  const {
    optional = false,
    onError = modes[0],
    ...rest
  } = options as unknown as AdapterOptions<M> & Record<string, unknown>;
  if (typeof optional !== 'boolean') throw new AuthConfigError('optional', 'expected true or false');
  if (!modes.includes(onError)) {
    throw new AuthConfigError(
      'onError',
      `expected ${modes.map((mode) => `'${mode}'`).join(' or ')} (default '${modes[0]}')`,
    );
  }
  const own: Record<string, unknown> = {};
  const coreOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest))
    (ownOptions.includes(key) ? own : coreOptions)[key] = value;
  return {
    verifier: toVerifier(coreOptions),
    optional,
    onError,
    own,
  };
}

function toVerifier(options: Record<string, unknown>): Authenticator {
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
