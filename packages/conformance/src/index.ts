/**
 * `@org/auth-conformance`: the behaviour of every adapter, written once. An adapter package runs
 * it from a test file of its own with {@link defineConformanceSuite} and a {@link Target} that
 * builds the app of {@link AppSpec} with its framework.
 */
export {
  type AppSpec,
  type AuthGroup,
  apiKeys,
  type Document,
  echoBody,
  guardedRoutes,
  httpsOptions,
  loadDocument,
  type RouteGuards,
  type ServerTls,
  type Target,
} from './app-spec.js';
export { listen, type Running } from './client.js';
export { defineConformanceSuite } from './define-conformance-suite.js';
