import type { IncomingMessage } from 'node:http';
import { AuthConfigError } from '@org/auth-core';
import { isBodyPending, uncheckableBody, verifyRequestBody } from '@org/auth-core/adapter';
import type { Middleware } from 'koa';
import { reject } from './service-auth.js';

/** Options of {@link verifyBody}. */
export interface VerifyBodyOptions {
  /** The largest body read when no body parser kept the raw body, in bytes. Default 1 MiB. */
  readonly limit?: number;
}

async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.destroy();
      throw uncheckableBody(req, 'request body too large to check');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Checks a signed request's body against its HMAC signature. Put it after your body parser
 * (`@koa/bodyparser` keeps `ctx.request.rawBody`, the text it parsed); with no parser, or for a
 * content type the parser skipped, it reads the body itself (up to `limit`). A body that does not
 * match is answered 401 `body_mismatch` like `serviceAuth()` answers; requests that were not
 * signed pass untouched.
 *
 * Koa's parsers keep the body as text, so the check covers its UTF-8 bytes: sign UTF-8 bodies.
 *
 * @example
 * ```ts
 * app.use(serviceAuth({ authenticator: createHmacAuthenticator({ services }) }));
 * app.use(bodyParser());
 * app.use(verifyBody());
 * ```
 */
export function verifyBody(options: VerifyBodyOptions = {}): Middleware {
  const { limit = 1024 * 1024 } = options;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new AuthConfigError('limit', 'expected a positive number of bytes');
  return async (ctx, next) => {
    if (isBodyPending(ctx.req)) {
      try {
        // `@koa/bodyparser` and `koa-bodyparser` keep the parsed text as `rawBody`.
        const raw = (ctx.request as { rawBody?: unknown }).rawBody;
        if (typeof raw === 'string') {
          verifyRequestBody(ctx.req, raw);
        } else if (ctx.req.readable && !ctx.req.readableDidRead) {
          verifyRequestBody(ctx.req, await readRaw(ctx.req, limit));
        } else {
          throw uncheckableBody(ctx.req, 'request body could not be checked against its signature');
        }
      } catch (error) {
        return reject(error, ctx);
      }
    }
    await next();
  };
}
