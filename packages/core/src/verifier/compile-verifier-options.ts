import { AuthRejector } from '../authn/rejector.js';
import { compileCertificateBinding } from '../binding/certificate-binding.js';
import { compileClaimRules } from '../claims/token-rules.js';
import { type CompiledDelegation, compileDelegation } from '../delegation/delegation.js';
import { compileDpop } from '../dpop/dpop-options.js';
import type { TokenPresentation } from '../dpop/dpop-policy.js';
import { AuthConfigError } from '../errors.js';
import { safeListener } from '../events.js';
import { compileGrantRules } from '../grants/grants.js';
import type { SessionCheck } from '../identity/sessions.js';
import { compileIssuers } from '../keys/compile-issuers.js';
import { compileSignatureVerification } from '../keys/signature-verification.js';
import { assertKnownKeys, optionalFunction, optionalText } from '../lib/option-checks.js';
import { compileLogger, createLogSink } from '../logging/log-sink.js';
import type { AcceptRules } from '../pipeline/accept-token.js';
import type { AuthCheck } from '../pipeline/run-checks.js';
import type { TokenRules } from '../pipeline/verify-token.js';
import { PolicyEngine } from '../policies/policies.js';
import type { RevocationStore } from '../revocation/revocation-store.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { compileTelemetry } from '../telemetry/telemetry-options.js';
import { compileExtraction, type TokenExtraction } from '../token/token-extraction.js';
import { VERIFIER_OPTION_KEYS, type VerifierOptions } from './verifier-options.js';

/** Everything a verifier runs on, validated and compiled once, grouped by pipeline step. */
export interface VerifierSettings extends TokenRules, AcceptRules {
  readonly rejector: AuthRejector;
  readonly extraction: TokenExtraction;
  readonly sessions: SessionCheck | undefined;
  readonly revocation: RevocationStore | undefined;
  readonly checks: readonly AuthCheck[];
  /** Largest number of verified tokens remembered; 0 turns the cache off. */
  readonly cacheMaxEntries: number;
  readonly delegation: CompiledDelegation | undefined;
  readonly now: () => number;
  /** Metrics and spans; `undefined` (nothing recorded, no cost) without OpenTelemetry. */
  readonly telemetry: Telemetry | undefined;
}

/**
 * Validates {@link VerifierOptions} in one pass and compiles them: each concern validates and
 * compiles its own options; this only assembles them. Every message names the option and says
 * what to change.
 *
 * @throws {AuthConfigError}
 */
export function compileVerifierOptions(options: VerifierOptions): VerifierSettings {
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError('options', 'expected an options object with at least issuers and audience');
  }
  assertKnownKeys('options', options, VERIFIER_OPTION_KEYS);
  const now = optionalFunction('now', options.now) ?? Date.now;
  const onEvent = optionalFunction('onEvent', options.onEvent);
  const logger = compileLogger('logger', options.logger);
  const log = logger === undefined ? undefined : createLogSink(logger, now);
  const rejectorSettings = {
    scheme: 'Bearer',
    realm: optionalText('realm', options.realm),
    onEvent,
    log,
    now,
  } as const;
  const telemetry = compileTelemetry(options.telemetry, now);
  // Key events also count key-set fetches when telemetry is on.
  const emit = telemetry?.keyEvents(safeListener(onEvent)) ?? safeListener(onEvent);
  const issuers = compileIssuers(options, {
    now,
    emit:
      log === undefined
        ? emit
        : (event) => {
            emit(event);
            log(event);
          },
  });
  const claims = compileClaimRules(options, new Set(issuers.keys()));
  const extraction = compileExtraction(options);
  const dpop = compileDpop(options.dpop, {
    customExtraction: extraction.custom,
    clockTolerance: claims.clockTolerance,
    now,
  });
  const policies = options.policies === undefined ? undefined : new PolicyEngine(options.policies);
  const rejector = new AuthRejector({
    ...rejectorSettings,
    policies,
    finish:
      dpop === undefined
        ? undefined
        : (error, presentation) => dpop.challenge(error, presentation as TokenPresentation),
  });
  return {
    issuers,
    claims,
    grants: compileGrantRules(options),
    delegation: compileDelegation(options.delegation, issuers),
    rejector,
    signatures: compileSignatureVerification(options.signatureVerification),
    extraction,
    clockTolerance: claims.clockTolerance,
    dpop,
    requireCertificateBinding: compileCertificateBinding(options.certificateBinding),
    sessions: optionalFunction('sessions', options.sessions, 'a function (request) => session | undefined'),
    revocation: compileRevocation(options.revocation),
    checks: compileChecks(options.checks),
    cacheMaxEntries: compileCache(options.cache),
    now,
    telemetry,
  };
}

function compileCache(cache: VerifierOptions['cache']): number {
  if (cache === false) return 0;
  if (cache === undefined) return 10_000;
  if (typeof cache !== 'object' || cache === null) {
    throw new AuthConfigError('cache', 'expected false or { maxEntries: 10000 }');
  }
  assertKnownKeys('cache', cache, ['maxEntries']);
  const maxEntries = cache.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new AuthConfigError(
      'cache.maxEntries',
      'expected a whole number of at least 1 (or cache: false to turn the cache off)',
    );
  }
  return maxEntries;
}

function compileChecks(checks: VerifierOptions['checks']): readonly AuthCheck[] {
  if (checks === undefined) return [];
  if (!Array.isArray(checks) || checks.some((check) => typeof check !== 'function')) {
    throw new AuthConfigError(
      'checks',
      'expected an array of functions (auth, request) => boolean | Promise<boolean>',
    );
  }
  return checks;
}

function compileRevocation(revocation: VerifierOptions['revocation']): RevocationStore | undefined {
  if (revocation !== undefined && typeof revocation?.isRevoked !== 'function') {
    throw new AuthConfigError(
      'revocation',
      'expected a store with an isRevoked(query) method, such as new MemoryRevocationStore()',
    );
  }
  return revocation;
}
