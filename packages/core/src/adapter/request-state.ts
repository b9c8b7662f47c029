import { Transform } from 'node:stream';
import type { AuthContext } from '../auth-context.js';
import type { Authenticator } from '../authn/authenticator.js';
import { type AuthErrorBody, isAuthError } from '../errors.js';
import { type AuthorizeOptions, type Authorizer, authorizeWith } from '../guards/authorize.js';
import { SignedBody } from '../hmac/signed-body.js';
import type { RequestLike } from '../token/request.js';
import {
  type AdapterOptions,
  DEFAULT_MAX_BODY_BYTES,
  type OnError,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
  type Transport,
  type VerifierOrOptions,
} from './adapter-options.js';

/**
 * What an adapter keeps about one request, from authentication to the route's last guard: who
 * authenticates it, how its rejections are answered and, for signed requests, its body. Adapters
 * store it as one typed field of the framework's request (`req.authState`, `ctx.state.authState`,
 * `request.authState`).
 */
export interface AuthRequestState {
  /** The authenticator of the middleware that saw the request; `undefined` before it ran. */
  readonly authenticator: Authenticator | undefined;
  readonly onError: OnError;
  readonly maxBodyBytes: number;
  /** The request's body against its signature, when the authenticator signs bodies. */
  readonly body: SignedBody | undefined;
}

/** One `serviceAuth()`: its validated options, and what it does for each request. */
export interface PreparedAdapter<F extends string = never> extends ResolvedAdapterOptions<F> {
  /**
   * The state of a request entering the middleware. `earlier` is a state a body parser created
   * before authentication (its body is kept). Costs no allocation unless bodies are signed.
   */
  enter(earlier: AuthRequestState | undefined): AuthRequestState;
  /** The context when a verified token decides it synchronously (a cache hit), else `undefined`. */
  cached(request: RequestLike): AuthContext | undefined;
  /** Authenticates the request, reporting its body to the state's {@link SignedBody}. */
  authenticate(request: RequestLike, state: AuthRequestState): Promise<AuthContext | undefined>;
  /**
   * `authorize()` for this middleware's requests: the authenticator's `policies` are known now,
   * so a route without any is refused when it is declared.
   *
   * @throws {AuthConfigError} for a malformed action or loader, or when there are no policies
   */
  authorize<I = unknown, R = unknown>(action: string, options?: AuthorizeOptions<I, R>): Authorizer<I, R>;
}

/**
 * What an adapter's authentication middleware adds for its routes: `authorize()` with the
 * middleware's verifier. `I` is what the resource loader gets, `M` the framework's route handler.
 */
export interface BoundAuthorize<I, M> {
  /**
   * `authorize()` with this middleware's verifier: its `policies` are known now, so a route with
   * no policies to check fails here, when it is declared, instead of on every request.
   *
   * @example app.get('/documents/:id', auth.authorize('documents:read', { resource: (req) => load(req.params.id) }), handler)
   * @throws {AuthConfigError} for a malformed action or loader, or when there are no policies
   */
  authorize(action: string, options?: AuthorizeOptions<I>): M;
}

/**
 * Validates an adapter's options once (see {@link resolveAdapterOptions}) and returns what its
 * middleware calls per request.
 *
 * @example
 * ```ts
 * const adapter = prepareAdapter(options);
 * return (req, res, next) => {
 *   const state = (req.authState = adapter.enter(req.authState));
 *   // adapter.cached(req) ?? await adapter.authenticate(req, state) ...
 * };
 * ```
 */
export function prepareAdapter<F extends string = never>(
  options: (AdapterOptions & VerifierOrOptions) | undefined,
  flags?: Readonly<Record<F, boolean>>,
  transport?: Transport,
): PreparedAdapter<F> {
  const resolved = resolveAdapterOptions(options, flags, transport);
  const { authenticator, onError, maxBodyBytes, optional } = resolved;
  const signsBodies = authenticator.signsBodies === true;
  const shared: AuthRequestState = Object.freeze({ authenticator, onError, maxBodyBytes, body: undefined });
  return {
    ...resolved,
    enter(earlier) {
      if (!signsBodies) return shared;
      return { authenticator, onError, maxBodyBytes, body: earlier?.body ?? new SignedBody() };
    },
    cached: (request) => authenticator.authenticateCached?.(request),
    authenticate: (request, state) => authenticator.authenticate(request, { optional, body: state.body }),
    authorize: (action, options) => authorizeWith(authenticator.rejector?.policies, action, options),
  };
}

/** The answer to a rejection an adapter gives itself. */
export interface RejectionResponse {
  readonly status: number;
  /** `WWW-Authenticate`, and `Retry-After` for 503. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AuthErrorBody;
}

/**
 * How to answer `error` for a request: the response to send, or `undefined` when it goes to the
 * framework's error handling (`onError: 'forward'`, or not an `AuthError`: a bug or a failure of
 * the app's own code, which is never turned into a 401).
 */
export function rejectionResponse(
  error: unknown,
  state: AuthRequestState | undefined,
): RejectionResponse | undefined {
  if (!isAuthError(error) || state?.onError === 'forward') return undefined;
  return { status: error.status, headers: error.headers, body: error.toJSON() };
}

/**
 * Reports a body that a parser read (Express's `verify` hook), before or after authentication.
 * Returns the request's state, created when the parser ran first.
 *
 * @throws {AuthError} `body_mismatch` when the signature is known and covers other bytes
 */
export function receiveBody(
  state: AuthRequestState | undefined,
  body: Uint8Array | string,
): AuthRequestState {
  const current = state ?? {
    authenticator: undefined,
    onError: 'respond',
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    body: new SignedBody(),
  };
  current.body?.receive(body);
  return current;
}

/** A request as far as reading its body is concerned: Node's `IncomingMessage`. */
export interface BodyStream extends AsyncIterable<unknown> {
  readonly readable: boolean;
  readonly readableDidRead?: boolean;
  destroy(): void;
}

/**
 * The one rule for signed bodies, run where the framework's body parsing is over: a body reported
 * by a parser (`parsed`, or bytes fed before) is compared with the signature; a body nobody read
 * is read here, up to `maxBodyBytes`, and compared; a body consumed without being reported, or a
 * larger one, is refused. Requests that were not signed pass.
 *
 * @throws {AuthError} `body_mismatch`
 */
export async function finishBody(
  state: AuthRequestState | undefined,
  request: BodyStream,
  parsed?: Uint8Array | string,
): Promise<void> {
  const body = state?.body;
  if (body === undefined) return;
  if (body.pending && parsed !== undefined) body.receive(parsed);
  else if (body.pending && request.readable && request.readableDidRead !== true) {
    body.receive(await readAll(request, state?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, body));
  }
  body.check(); // also compares what a streaming hasher recorded
}

async function readAll(request: BodyStream, maxBytes: number, body: SignedBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > maxBytes) {
      request.destroy();
      throw body.uncheckable(`request body larger than ${maxBytes} bytes could not be checked`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * A signed request's body on its way to the framework's parser, hashed as it streams past (for
 * frameworks that hand middleware the raw stream, such as Fastify's `preParsing`); `payload`
 * itself when there is nothing to check. {@link finishBody} compares the hash afterwards.
 */
export function hashingStream<S extends NodeJS.ReadableStream>(
  state: AuthRequestState | undefined,
  payload: S,
): S | Transform {
  const hasher = state?.body?.hasher();
  if (hasher === undefined) return payload;
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
  return payload.pipe(tap);
}
