import type { AuthContext, AuthorizeOptions } from '@org/auth-core';
import {
  type AdapterOptions,
  type AuthRequestState,
  type BoundAuthorize,
  finishBody,
  hashingStream,
  prepareAdapter,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preParsingHookHandler,
  preValidationAsyncHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import { reject } from './respond.js';
import { type AuthHook, authorizeRoute } from './route-check.js';

/**
 * The authentication hook (`app.authenticate`), usable as `onRequest` or `preHandler`. It takes
 * Fastify's `done` callback, so that a token verified before costs no promise.
 */
export type AuthenticateHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified caller; `null` before authentication, on routes that do not authenticate, or
     * in optional mode for a request without credentials. Custom claims are typed through `AuthClaims`.
     */
    auth: AuthContext | null;
    /** The resource loaded by `authorize(action, { resource })`, else `null`; cast it to its type. */
    resource: unknown;
    /** The plugin's bookkeeping for this request (authenticator, `onError`, signed body). */
    authState: AuthRequestState | null;
  }
  interface FastifyInstance {
    /** Authenticates one route: `{ onRequest: app.authenticate }` (useful with `global: false`). */
    authenticate: AuthenticateHook;
    /** `authorize()` with this registration's verifier; see `BoundAuthorize`. */
    authorize: BoundAuthorize<FastifyRequest, AuthHook>['authorize'];
  }
}

/**
 * Core verifier options (or `{ verifier }`, or `{ authenticator }`) plus the adapter's:
 * `optional`, `onError` (`'respond'`, or `'forward'` to throw the `AuthError` to the error
 * handler), `maxBodyBytes`, and `global`: authenticate every route of the encapsulation context
 * with an `onRequest` hook (default `true`), or with `false` only routes that add `app.authenticate`.
 */
export type ServiceAuthOptions = AdapterOptions & VerifierOrOptions & { readonly global?: boolean };

/** Fastify hands its own `register()` options to the plugin too; they are not ours to check. */
const REGISTER_OPTIONS = new Set(['prefix', 'logLevel', 'logSerializers']);

const plugin: FastifyPluginAsync<ServiceAuthOptions> = async (app, options) => {
  const own = Object.fromEntries(Object.entries(options).filter(([key]) => !REGISTER_OPTIONS.has(key)));
  // The verifier reports to the app's logger unless told otherwise.
  if (!('verifier' in own || 'authenticator' in own || 'logger' in own)) own.logger = app.log;
  const adapter = prepareAdapter(own as ServiceAuthOptions, { global: true });
  const authenticate: AuthenticateHook = (request, reply, done) => {
    const state = adapter.enter(request.authState ?? undefined);
    request.authState = state;
    const cached = adapter.cached(request.raw);
    if (cached !== undefined) {
      request.auth = cached;
      done();
      return;
    }
    adapter.authenticate(request.raw, state).then(
      (auth) => {
        request.auth = auth ?? null;
        done();
      },
      (error: unknown) => {
        try {
          reject(error, request, reply); // answered: the lifecycle ends here
        } catch (thrown) {
          done(thrown as Error); // onError 'forward', or not an AuthError: to the error handler
        }
      },
    );
  };
  // Declared before any hook sets them, so every request has the same shape.
  app.decorateRequest('auth', null);
  app.decorateRequest('resource', null);
  app.decorateRequest('authState', null);
  app.decorate('authenticate', authenticate);
  app.decorate('authorize', (action: string, options?: AuthorizeOptions<FastifyRequest>) =>
    authorizeRoute(adapter.authorize(action, options)),
  );
  if (adapter.flags.global) app.addHook('onRequest', authenticate);
  if (adapter.authenticator.signsBodies === true) {
    app.addHook('preParsing', hashSignedBody);
    app.addHook('preValidation', checkBody);
  }
};

/** Lets a signed request's body stream through a hasher on its way to the content parser. */
const hashSignedBody: preParsingHookHandler = (request, _reply, payload, done) => {
  done(null, hashingStream(request.authState ?? undefined, payload));
};

/** Once parsed, the body must match the signature (the kit's one rule for signed bodies). */
const checkBody: preValidationAsyncHookHandler = async (request, reply) => {
  try {
    await finishBody(request.authState ?? undefined, request.raw);
  } catch (error) {
    return reject(error, request, reply);
  }
};

/**
 * The plugin: `await app.register(serviceAuth, options)`. The verifier is built at
 * registration; option errors make `register()` / `ready()` fail at boot.
 *
 * @example
 * ```ts
 * await app.register(serviceAuth, { issuers: [{ issuer: 'https://auth.internal' }], audience: 'payments' });
 * app.post('/orders', { preHandler: requirePermission('orders:create') }, async (request) => request.auth?.toJSON());
 * ```
 */
export const serviceAuth = fp(plugin, { name: '@org/auth-fastify', fastify: '5.x' });
