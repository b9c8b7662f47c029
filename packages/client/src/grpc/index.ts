/**
 * `@org/auth-client/grpc`: the caller side for `@grpc/grpc-js` clients. A separate entry point,
 * so that the package root works without grpc-js installed (it is an optional peer dependency).
 */
export { createGrpcAuthInterceptor } from './grpc-auth-interceptor.js';
export type { GrpcAuthOptions, GrpcTarget, GrpcTokens } from './grpc-auth-options.js';
export { createGrpcCallCredentials } from './grpc-call-credentials.js';
