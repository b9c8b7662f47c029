/**
 * The scenarios of the suite, one file per concern: a request in, the exact answer out (status,
 * `WWW-Authenticate`, JSON body), identical for every target.
 */
import { bearerScenarios } from './bearer.js';
import { cacheScenarios } from './cache.js';
import { certificateBindingScenarios } from './certificate-binding.js';
import { claimScenarios } from './claims.js';
import { compositionScenarios } from './composition.js';
import { delegationScenarios } from './delegation.js';
import { dpopScenarios } from './dpop.js';
import { errorScenarios } from './errors.js';
import { guardScenarios } from './guards.js';
import { hmacScenarios } from './hmac.js';
import { kindScenarios } from './kinds.js';
import { mtlsScenarios } from './mtls.js';
import { optionalScenarios } from './optional.js';
import { policyScenarios } from './policies.js';
import { remoteKeyScenarios } from './remote-keys.js';
import type { Concern, Scenario } from './scenario.js';
import { sessionScenarios } from './sessions.js';
import { signatureScenarios } from './signature.js';

export type { Concern, Expectation, RequestInfo, Scenario } from './scenario.js';

/** Every concern, in the order the suite runs them. */
export const concerns: readonly Concern[] = [
  bearerScenarios,
  signatureScenarios,
  claimScenarios,
  kindScenarios,
  sessionScenarios,
  delegationScenarios,
  policyScenarios,
  compositionScenarios,
  guardScenarios,
  remoteKeyScenarios,
  optionalScenarios,
  errorScenarios,
  hmacScenarios,
  mtlsScenarios,
  certificateBindingScenarios,
  dpopScenarios,
  cacheScenarios,
];

/** Every scenario of every concern. */
export const scenarios: readonly Scenario[] = concerns.flatMap((concern) => concern.scenarios);
