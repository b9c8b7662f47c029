import { type CallCredentials, credentials, Metadata } from '@grpc/grpc-js';
import { bearer, compileGrpcAuthOptions, type GrpcAuthOptions } from './grpc-auth-options.js';

/**
 * grpc-js call credentials that attach `authorization: Bearer <token>` to every call, the token
 * drawn from the cache for the call's audience. Compose them with TLS channel credentials
 * (grpc-js sends call credentials over secure channels only). They do not retry: for the retry
 * of a rejected token, and on plaintext channels, use `createGrpcAuthInterceptor` instead.
 *
 * @throws {AuthConfigError} for invalid or unknown options
 * @example
 * ```ts
 * const channel = credentials.combineChannelCredentials(
 *   credentials.createSsl(ca, key, cert),
 *   createGrpcCallCredentials({ tokens, audience: 'orders' }),
 * );
 * const client = new OrdersClient('orders.internal:443', channel);
 * ```
 */
export function createGrpcCallCredentials(options: GrpcAuthOptions): CallCredentials {
  const settings = compileGrpcAuthOptions(options);
  return credentials.createFromMetadataGenerator((call, callback) => {
    // service_url is `https://host:port/orders.Orders`: its last segment is the service.
    const service = call.service_url.slice(call.service_url.lastIndexOf('/') + 1);
    let audience: string;
    try {
      audience = settings.audienceOf({ service, method: call.method_name });
    } catch (error) {
      callback(error as Error);
      return;
    }
    settings.tokens.getToken(audience, settings.tokenOptions).then(
      (token) => {
        const metadata = new Metadata();
        metadata.set('authorization', bearer(token));
        callback(null, metadata);
      },
      (error: unknown) => callback(error as Error),
    );
  });
}
