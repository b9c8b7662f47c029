export {
  expectReadmeShows,
  expectSignedRequestsExample,
  get,
  ISSUER,
  token,
  verifierOptions,
} from '../../conformance/src/adapter-test-helpers.js';
