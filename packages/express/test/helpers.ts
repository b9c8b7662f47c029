export {
  expectReadmeShows,
  expectSignedRequestsExample,
  get,
  ISSUER,
  token,
  verifierOptions,
  withServer,
} from '../../conformance/src/adapter-test-helpers.js';
