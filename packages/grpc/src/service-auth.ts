import { Metadata, type StatusObject, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { AuthConfigError, type AuthContext, type Authenticator, type RequestLike } from '@org/auth-core';
import {
  type AdapterOptions,
  closest,
  type PreparedAdapter,
  prepareAdapter,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import { CallRequest, type ServerSurfaceCall } from './call-request.js';
import { rejectionStatus } from './grpc-status.js';

/**
 * Core verifier options (or `{ verifier }`, or `{ authenticator }`) plus `optional`. DPoP and
 * HMAC-signed requests are defined over HTTP (they sign its method and URL) and are refused.
 */
export type ServiceAuthOptions = Pick<AdapterOptions, 'optional'> & VerifierOrOptions;

/** A call after authentication: `auth` is the verified caller, with extra claims `C`. */
export type AuthenticatedCall<
  Call extends ServerSurfaceCall = ServerSurfaceCall,
  C extends object = object,
> = Call & {
  readonly auth: AuthContext<C>;
};

/**
 * A grpc-js handler type (`handleUnaryCall<Req, Res>`, ...) whose call has `auth`: what a method
 * behind `protect()` gets, without optional mode.
 */
export type AuthenticatedHandler<H, C extends object = object> = H extends (
  call: infer Call extends ServerSurfaceCall,
  ...rest: infer Rest
) => infer Result
  ? (call: AuthenticatedCall<Call, C>, ...rest: Rest) => Result
  : H;

/**
 * A service implementation type (a generated `OrdersServer`, or `{ Method: handleUnaryCall<...> }`)
 * whose methods get an authenticated call.
 *
 * @example const orders = { CreateOrder(call, callback) { call.auth.caller } } satisfies AuthenticatedImplementation<OrdersServer>;
 */
export type AuthenticatedImplementation<I, C extends object = object> = {
  [K in keyof I]: AuthenticatedHandler<I[K], C>;
};

/** A call seen by the adapter: `auth` and, after `authorize(..., { resource })`, `resource`. */
export interface GuardedCall extends ServerSurfaceCall {
  auth?: AuthContext | undefined;
  resource?: unknown;
}

/**
 * A per-method requirement: one of the guards (`requirePermission(...)`, ...), `authorize(...)`
 * or `fromGuard(guard)`. Its arguments were checked when it was made.
 */
export interface MethodGuard {
  /** What the guard requires, e.g. `permission orders:create`. */
  readonly requirement: string;
  /** Resolves when the call may go on; rejects with the `AuthError` to refuse it with. */
  readonly check: (call: GuardedCall, request: RequestLike, authenticator: Authenticator) => Promise<void>;
}

/** The guards of each method of an implementation, by the method's name in it. */
export type MethodGuards<I> = { readonly [K in keyof I]?: MethodGuard | readonly MethodGuard[] };

/** One `serviceAuth()`: its authenticator, and what puts it in front of service implementations. */
export interface GrpcServiceAuth {
  /** The verifier (or the `authenticator` given): one per server, shared by every service. */
  readonly authenticator: Authenticator;
  /**
   * Wraps every method of `implementation`: each call is authenticated from its `authorization`
   * metadata (and TLS client certificate), `call.auth` is set, then the method's `guards` run in
   * order, and only then the method. A refusal ends the call with its status (see
   * `rejectionStatus`). Pass the result to `server.addService(definition, ...)`.
   *
   * @throws {AuthConfigError} when `guards` names a method the implementation does not have
   */
  protect<I extends object>(implementation: I, guards?: MethodGuards<I>): UntypedServiceImplementation;
}

type Handler = (call: GuardedCall, callback?: unknown) => unknown;

/** Every method of an implementation, also those of a class instance's prototype chain. */
function methodsOf(implementation: object): Map<string, Handler> {
  const methods = new Map<string, Handler>();
  for (
    let object = implementation;
    object !== null && object !== Object.prototype;
    object = Object.getPrototypeOf(object)
  ) {
    for (const name of Object.getOwnPropertyNames(object)) {
      const value = (implementation as Record<string, unknown>)[name];
      if (name !== 'constructor' && !methods.has(name) && typeof value === 'function') {
        methods.set(name, (value as Handler).bind(implementation));
      }
    }
  }
  return methods;
}

function guardList(
  name: string,
  value: MethodGuard | readonly MethodGuard[] | undefined,
): readonly MethodGuard[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  for (const [index, guard] of (list as readonly MethodGuard[]).entries()) {
    if (typeof guard?.check !== 'function') {
      throw new AuthConfigError(
        Array.isArray(value) ? `guards.${name}[${index}]` : `guards.${name}`,
        "expected a guard such as requirePermission('orders:create')",
      );
    }
  }
  return list as readonly MethodGuard[];
}

/** Ends a call with `answer`: unary and client-streaming methods through their callback, the others as a stream error. */
function respond(answer: StatusObject, call: GuardedCall, callback: unknown): void {
  if (typeof callback === 'function') callback(answer);
  else call.emit('error', answer);
}

/** One method behind authentication and its guards. */
function protectMethod(adapter: PreparedAdapter, handler: Handler, guards: readonly MethodGuard[]): Handler {
  const { authenticator } = adapter;
  // One state for every call: nothing per call to keep, as no HTTP-only mechanism gets this far.
  const state = adapter.enter(undefined);
  const refuse = (error: unknown, call: GuardedCall, callback: unknown) =>
    respond(rejectionStatus(error), call, callback);
  const admit = async (call: GuardedCall, request: RequestLike): Promise<void> => {
    call.auth = adapter.cached(request) ?? (await adapter.authenticate(request, state));
    for (const guard of guards) await guard.check(call, request, authenticator);
  };
  const invoke = (call: GuardedCall, callback: unknown) => {
    try {
      handler(call, callback);
    } catch (error) {
      // What grpc-js answers for a method that throws: it ran after an await here, out of its sight.
      const details = `Server method handler threw error ${(error as { message?: unknown } | null)?.message}`;
      respond({ code: status.UNKNOWN, details, metadata: new Metadata() }, call, callback);
    }
  };
  return (call, callback) => {
    const request = new CallRequest(call);
    // A token verified before, and no guard: no promise.
    const cached = guards.length === 0 ? adapter.cached(request) : undefined;
    if (cached !== undefined) {
      call.auth = cached;
      return handler(call, callback);
    }
    // then(ok, fail): an error thrown by the method itself is never turned into a refusal.
    // A call cancelled meanwhile (by the client, or its deadline) has no one left to answer.
    admit(call, request).then(
      () => call.cancelled || invoke(call, callback),
      (error: unknown) => call.cancelled || refuse(error, call, callback),
    );
  };
}

/**
 * Authentication for a grpc-js server: builds one verifier (or takes the `verifier` or
 * `authenticator` given) now, and returns what wraps service implementations with it. Option
 * errors throw an `AuthConfigError` (a `TypeError`) here; so do `dpop`, an HMAC authenticator
 * and a verifier built with `dpop`, which only work over HTTP.
 *
 * @example
 * ```ts
 * const auth = serviceAuth({ issuers: [{ issuer: 'https://auth.internal', jwksUri: 'https://auth.internal/jwks' }], audience: 'orders' });
 * server.addService(ordersService, auth.protect(orders, { CreateOrder: requirePermission('orders:create') }));
 * ```
 */
export function serviceAuth(options: ServiceAuthOptions): GrpcServiceAuth {
  // gRPC calls have no HTTP method, URL or body: the kit refuses DPoP, HMAC and the HTTP-only options.
  const adapter = prepareAdapter(options, undefined, 'gRPC');
  return {
    authenticator: adapter.authenticator,
    protect(implementation, guards = {}) {
      if (typeof implementation !== 'object' || implementation === null) {
        throw new AuthConfigError(
          'implementation',
          'expected a service implementation: an object of methods',
        );
      }
      const methods = methodsOf(implementation);
      for (const name of Object.keys(guards)) {
        if (!methods.has(name)) {
          const suggestion = closest(name, [...methods.keys()]);
          throw new AuthConfigError(
            `guards.${name}`,
            `the implementation has no method ${name}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
          );
        }
      }
      const wrapped: UntypedServiceImplementation = {};
      for (const [name, handler] of methods) {
        const list = guardList(name, (guards as Record<string, MethodGuard | readonly MethodGuard[]>)[name]);
        wrapped[name] = protectMethod(adapter, handler, list) as UntypedServiceImplementation[string];
      }
      return wrapped;
    },
  };
}
