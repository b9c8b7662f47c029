/**
 * `@org/auth-conformance`: the behaviour of every adapter, written once. An adapter package runs
 * it from a test file of its own with {@link defineConformanceSuite} and a {@link Target} that
 * builds the app of {@link AppSpec} with its framework.
 */
export {
  type AppSpec,
  type AuthGroup,
  apiKeys,
  appSpec,
  createKit,
  type Document,
  echo,
  echoBody,
  guardedRoutes,
  httpsOptions,
  type Kit,
  loadDocument,
  type RouteGuards,
  type ServerTls,
  type Target,
} from './app-spec.js';
export { listen, type Running } from './client.js';
export { defineConformanceSuite } from './define-conformance-suite.js';
// With appSpec, createKit and echo: for targets that are not HTTP (gRPC), which run the scenarios
// that make sense over their protocol against the same app and kit.
export { type Concern, concerns, type Expectation, type Scenario } from './scenarios/index.js';
