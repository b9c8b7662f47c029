/**
 * The conformance suite of `@org/auth-conformance` (every scenario, the attack corpus, the bounded
 * fuzzing and the key-server fault) against this plugin on Fastify 5. The app the suite expects is
 * built in `fastify-target.ts`.
 */
import { defineConformanceSuite } from '@org/auth-conformance';
import { fastifyTarget } from './fastify-target.js';

defineConformanceSuite(fastifyTarget('fastify 5'));
