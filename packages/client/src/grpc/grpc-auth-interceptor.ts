import { InterceptingCall, type Interceptor, type Metadata, type StatusObject, status } from '@grpc/grpc-js';
import { bearer, compileGrpcAuthOptions, type GrpcAuthOptions, targetOfPath } from './grpc-auth-options.js';

// RFC 6750 §3: a rejected token is answered with error="invalid_token" in a Bearer challenge; the
// gRPC adapters send the challenge as `www-authenticate` trailing metadata with UNAUTHENTICATED.
function isRejectedToken(answer: StatusObject): boolean {
  if (answer.code !== status.UNAUTHENTICATED) return false;
  const challenge = answer.metadata.get('www-authenticate').map(String).join(', ');
  return /^\s*bearer\b/i.test(challenge) && /\berror\s*=\s*"?invalid_token"?/i.test(challenge);
}

function withToken(metadata: Metadata, token: string): Metadata {
  const sent = metadata.clone();
  sent.set('authorization', bearer(token));
  return sent;
}

/**
 * A grpc-js client interceptor that attaches `authorization: Bearer <token>` to every call, the
 * token drawn from the cache for the call's audience, and retries a call refused with
 * `UNAUTHENTICATED` and an `invalid_token` challenge once with a fresh token (as
 * `createAuthFetch` does on a 401). Only calls with a single request message (unary and
 * server-streaming) are retried, and only before any response message; a streamed request is
 * not kept for a second send. A token that cannot be had ends the call with `UNAVAILABLE`, as
 * failing call credentials do.
 *
 * Works on plaintext and TLS channels; use it in place of `createGrpcCallCredentials`, not with it.
 *
 * A call to a service without audience ends with `INTERNAL` "no audience configured for ...",
 * before anything is sent.
 *
 * @throws {AuthConfigError} for invalid or unknown options
 * @example
 * ```ts
 * const client = new OrdersClient('orders.internal:50051', credentials.createInsecure(), {
 *   interceptors: [createGrpcAuthInterceptor({ tokens, audience: 'orders' })],
 * });
 * ```
 */
export function createGrpcAuthInterceptor(options: GrpcAuthOptions): Interceptor {
  const settings = compileGrpcAuthOptions(options);
  const { tokens, tokenOptions } = settings;
  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const replayable = !definition.requestStream;
    const first = nextCall(callOptions);
    let request: { readonly message: unknown } | undefined;
    let halfClosed = false;
    let second: typeof first | undefined;

    return new InterceptingCall(first, {
      start(metadata, listener, next) {
        // Ends the call before anything is sent: started without a token and cancelled at once.
        const fail = (code: status, details: string) => {
          next(metadata, listener);
          first.cancelWithStatus(code, details);
        };
        let audience: string;
        try {
          audience = settings.audienceOf(targetOfPath(definition.path));
        } catch (error) {
          fail(status.INTERNAL, (error as Error).message);
          return;
        }
        // What the first answer says waits until the call can no longer be retried; grpc-js
        // reports a unary answer without message as a `null` message before the status. Each
        // held part is passed on with its own `next`, which grpc-js waits for.
        let heldMetadata: (() => void) | undefined;
        let heldMessage: (() => void) | undefined;
        let answered = false;
        const releaseMetadata = () => {
          heldMetadata?.();
          heldMetadata = undefined;
        };
        const retry = (fresh: string) => {
          const call = nextCall(callOptions);
          second = call;
          call.start(withToken(metadata, fresh), {
            onReceiveMetadata: (received) => listener.onReceiveMetadata(received),
            onReceiveMessage: (message) => {
              listener.onReceiveMessage(message);
              if (definition.responseStream) call.startRead();
            },
            onReceiveStatus: (received) => listener.onReceiveStatus(received),
          });
          if (request !== undefined) call.sendMessage(request.message);
          if (halfClosed) call.halfClose();
          // A unary answer is read by grpc-js itself; a stream is read one message at a time.
          if (definition.responseStream) call.startRead();
        };
        tokens.getToken(audience, tokenOptions).then(
          (token) =>
            next(withToken(metadata, token), {
              onReceiveMetadata(received, nextMetadata) {
                if (replayable) heldMetadata = () => nextMetadata(received);
                else nextMetadata(received);
              },
              onReceiveMessage(message, nextMessage) {
                if (replayable && !definition.responseStream) {
                  heldMessage = () => nextMessage(message);
                  return;
                }
                answered = true;
                releaseMetadata();
                nextMessage(message);
              },
              onReceiveStatus(answer: StatusObject, nextStatus) {
                const finish = () => {
                  releaseMetadata();
                  heldMessage?.();
                  nextStatus(answer);
                };
                if (!replayable || answered || !isRejectedToken(answer)) {
                  finish();
                  return;
                }
                tokens
                  .getToken(audience, { ...tokenOptions, rejectedToken: token })
                  .then((fresh) => (fresh === token ? finish() : retry(fresh)), finish);
              },
            }),
          (error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            fail(status.UNAVAILABLE, `no token for ${audience}: ${reason}`);
          },
        );
      },
      sendMessage(message, next) {
        request = { message };
        next(message);
      },
      halfClose(next) {
        halfClosed = true;
        next();
      },
      cancel(next) {
        second?.cancelWithStatus(status.CANCELLED, 'Cancelled on client');
        next();
      },
    });
  };
}
