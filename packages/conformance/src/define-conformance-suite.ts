import { describe } from 'vitest';
import type { Target } from './app-spec.js';
import { describeAttackCorpus } from './describe-attack-corpus.js';
import { describeFuzz } from './describe-fuzz.js';
import { describeKeyServerFault } from './describe-key-server-fault.js';
import { describeScenarios } from './describe-scenarios.js';

/**
 * Defines the whole conformance suite for one target, under a `describe` named after it: every
 * scenario of every concern, the attack corpus, the bounded fuzzing and the key-server fault,
 * each against its own instance of the target's app, over real HTTP. Call it at the top level of
 * a vitest test file, once per target.
 *
 * @example
 * ```ts
 * // packages/express/test/conformance.test.ts
 * import { defineConformanceSuite } from '@org/auth-conformance';
 * import express from 'express';
 * import { expressTarget } from './express-target.js';
 *
 * defineConformanceSuite(expressTarget('express 5', express));
 * ```
 */
export function defineConformanceSuite(target: Target): void {
  describe(target.name, () => {
    describeScenarios(target);
    describeAttackCorpus(target);
    describeFuzz(target);
    describeKeyServerFault(target);
  });
}
