/**
 * `@org/auth-conformance/helpers`: what the adapters' own tests share (an HS256 verifier and its
 * tokens, loopback servers) and the tests of their README examples.
 */
export { listen, type Running } from '../client.js';
export { get, ISSUER, serve, token, verifierOptions, withServer } from './adapter-test-helpers.js';
export { expectBoundAuthorizeChecksPolicies } from './bound-authorize.js';
export { expectReadinessRoute } from './readiness.js';
export {
  defineReadmeExampleTests,
  expectReadmeExample,
  expectReadmeShows,
  expectSignedRequestsExample,
  type ReadmeExamples,
} from './readme-examples.js';
