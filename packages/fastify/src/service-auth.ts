import { Transform } from 'node:stream';
import { AuthConfigError, type AuthContext, type Authenticator, isAuthError } from '@org/auth-core';
import {
  type AdapterOptions,
  bindingOf,
  bindRequest,
  checkSignedBody,
  createBodyHasher,
  resolveAdapterOptions,
  type VerifierOrOptions,
} from '@org/auth-core/adapter';
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preParsingHookHandler,
  preValidationHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';

/** A hook usable as `onRequest` or `preHandler`, at application or route level. */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

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
     * in optional mode for a request without token. Custom claims are typed through `AuthClaims`.
     */
    auth: AuthContext | null;
    /** The resource loaded by `authorize(action, { resource })`, else `null`; cast it to its type. */
    resource: unknown;
  }
  interface FastifyInstance {
    /** Authenticates one route: `{ onRequest: app.authenticate }` (useful with `global: false`). */
    authenticate: AuthenticateHook;
  }
}

/** The options this plugin adds to the core's. */
export interface FastifyAuthOptions {
  /** Let requests without any token through with `request.auth` null; bad tokens are still refused. Default `false`. */
  readonly optional?: boolean;
  /**
   * How a rejection is answered: `'respond'` (default) replies with the status,
   * `WWW-Authenticate` and the JSON body `{ error, error_description, code }`; `'throw'` throws
   * the `AuthError` to the error handler (`setErrorHandler`, or Fastify's default, which applies
   * `statusCode` and `headers` but renders its own body).
   */
  readonly onError?: 'respond' | 'throw';
  /**
   * Authenticate every route of the encapsulation context with an `onRequest` hook (default
   * `true`); with `false`, only routes that add `app.authenticate` as a hook.
   */
  readonly global?: boolean;
}

/** Core verifier options, or an existing `verifier` to share, plus {@link FastifyAuthOptions}. */
export type ServiceAuthOptions = FastifyAuthOptions & AdapterOptions<'respond' | 'throw'> & VerifierOrOptions;

const plugin: FastifyPluginAsync<ServiceAuthOptions> = async (app, options) => {
  const { verifier, optional, onError, own } = resolveAdapterOptions(
    options,
    ['respond', 'throw'],
    ['global'],
  );
  const { global = true } = own;
  if (typeof global !== 'boolean') throw new AuthConfigError('global', 'expected true or false');
  const binding = { verifier, onError };
  const authenticate: AuthenticateHook = (request, reply, done) => {
    bindRequest(request, binding);
    // A token verified before is answered synchronously (see Verifier.authenticateCached).
    const cached = verifier.authenticateCached?.(request.raw);
    if (cached !== undefined) {
      request.auth = cached;
      done();
      return;
    }
    verifier.authenticate(request.raw, { optional }).then(
      (auth) => {
        request.auth = auth ?? null;
        done();
      },
      (error: unknown) => {
        try {
          reject(error, request, reply); // answered: the lifecycle ends here
        } catch (thrown) {
          done(thrown as Error); // onError 'throw', or not an AuthError: to the error handler
        }
      },
    );
  };
  // Declared before any hook sets it, so every request has the same shape.
  app.decorateRequest('auth', null);
  app.decorateRequest('resource', null);
  app.decorate('authenticate', authenticate);
  if (global) app.addHook('onRequest', authenticate);
  if (verifier.signsBodies === true) {
    app.addHook('preParsing', hashSignedBody);
    app.addHook('preValidation', checkBody);
  }
};

/** Lets a signed request's body stream through a hasher on its way to the content parser. */
const hashSignedBody: preParsingHookHandler = (request, _reply, payload, done) => {
  const hasher = createBodyHasher(request.raw);
  if (hasher === undefined) {
    done(null, payload);
    return;
  }
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      hasher.update(chunk);
      next(null, chunk);
    },
    flush(next) {
      hasher.finish();
      next();
    },
  });
  payload.on('error', (error) => tap.destroy(error));
  done(null, payload.pipe(tap));
};

/** Once parsed, the body must match the signature; one no parser read fails closed. */
const checkBody: preValidationHookHandler = (request, reply, done) => {
  try {
    checkSignedBody(request.raw);
  } catch (error) {
    reject(error, request, reply);
    return;
  }
  done();
};

/**
 * The plugin: `await app.register(serviceAuth, options)`. The verifier is built at
 * registration; option errors make `register()` / `ready()` fail at boot.
 *
 * @example
 * ```ts
 * await app.register(serviceAuth, { issuers: [{ issuer, jwksUri }], audience: 'payments' });
 * app.post('/orders', { preHandler: requirePermission('orders:create') }, async (request) => request.auth?.toJSON());
 * ```
 */
export const serviceAuth = fp(plugin, { name: '@org/auth-fastify', fastify: '5.x' });

/** Answers a rejection the way the request's authentication asked; anything else is rethrown. */
export function reject(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!isAuthError(error) || bindingOf(request)?.onError === 'throw') throw error;
  return reply.code(error.status).headers(error.headers).send(error.toJSON());
}

/** The verifier (or authenticator) that authenticated `request`, if the plugin saw it. */
export function verifierOf(request: FastifyRequest): Authenticator | undefined {
  return bindingOf(request)?.verifier;
}
