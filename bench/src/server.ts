/**
 * One benchmark server: a framework, with or without an authentication middleware, answering
 * `GET /` with a small JSON body. Started by the orchestrator with `fork()`, one process per run;
 * its configuration arrives as JSON in argv[2]. It listens on 127.0.0.1 only, reports its port
 * over IPC, answers `stats` requests (its own CPU time and the requests it served) and exits as
 * soon as the orchestrator goes away. Only the modules the contender needs are loaded.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { importJWK, type JWK, type JWTVerifyOptions, jwtVerify } from 'jose';
import { AUDIENCE, errorMessage, ISSUER, type ServerConfig, type ServerMessage } from './shared.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
let served = 0;

function send(message: ServerMessage): void {
  process.send?.(message);
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: { type?: string; id?: number }) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      id: message.id ?? 0,
      cpuMicros: cpu.user + cpu.system,
      served,
      heapUsed: process.memoryUsage().heapUsed,
    });
  }
});

const body = { ok: true };

/** The CommonJS export of a module typed with `export =` (its `default` when imported from ESM). */
function cjs<T>(module: T): T {
  return (module as T & { default?: T }).default ?? module;
}

function ourOptions() {
  return {
    issuers: [{ issuer: ISSUER, jwks: { keys: [config.key.jwk as JWK] } }],
    audience: AUDIENCE,
    cache: config.impl === 'ours-nocache' ? (false as const) : { maxEntries: config.cacheMaxEntries },
  };
}

const joseOptions: JWTVerifyOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [config.alg] };
const publicKey: KeyObject = createPublicKey(config.key.pem);

function bearer(header: string | undefined): string {
  return header?.startsWith('Bearer ') ? header.slice(7) : '';
}

function unsupported(): never {
  throw new Error(`${config.impl} is not a ${config.framework} middleware`);
}

async function startExpress(): Promise<AddressInfo> {
  const express = cjs(await import('express'));
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  switch (config.impl) {
    case 'bare':
      break;
    case 'ours':
    case 'ours-nocache':
      app.use((await import('@org/auth-express')).serviceAuth(ourOptions()));
      break;
    case 'jose': {
      const key = await importJWK(config.key.jwk as JWK, config.alg);
      const middleware: RequestHandler = (req, res, next) => {
        jwtVerify(bearer(req.headers.authorization), key, joseOptions).then(
          () => next(),
          () => res.status(401).json({ error: 'invalid_token' }),
        );
      };
      app.use(middleware);
      break;
    }
    case 'express-oauth2-jwt-bearer': {
      const { auth: oauth2JwtBearer } = await import('express-oauth2-jwt-bearer');
      app.use(
        oauth2JwtBearer({
          issuer: ISSUER,
          audience: AUDIENCE,
          publicKey: { keys: [config.key.jwk as JWK] },
          tokenSigningAlg: config.alg,
        }),
      );
      break;
    }
    case 'express-jwt': {
      const { expressjwt } = await import('express-jwt');
      // A KeyObject rather than the PEM string: jsonwebtoken would parse a string on every request.
      app.use(
        expressjwt({
          secret: publicKey,
          algorithms: [config.alg as 'RS256'],
          audience: AUDIENCE,
          issuer: ISSUER,
        }),
      );
      break;
    }
    default:
      unsupported();
  }
  app.get('/', (_req, res) => {
    served++;
    res.json(body);
  });
  const onError: ErrorRequestHandler = (error: { status?: number; message?: string }, _req, res, _next) => {
    res.status(error.status ?? 500).json({ error: 'rejected', message: error.message });
  };
  app.use(onError);
  return await new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
    server.on('error', reject);
  });
}

async function startFastify(): Promise<AddressInfo> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  switch (config.impl) {
    case 'bare':
      break;
    case 'ours':
    case 'ours-nocache':
      await app.register((await import('@org/auth-fastify')).serviceAuth, ourOptions());
      break;
    case 'jose': {
      const key = await importJWK(config.key.jwk as JWK, config.alg);
      app.addHook('onRequest', async (request, reply) => {
        try {
          await jwtVerify(bearer(request.headers.authorization), key, joseOptions);
        } catch {
          return reply.code(401).send({ error: 'invalid_token' });
        }
      });
      break;
    }
    case 'fastify-jwt':
    case 'fastify-jwt-cache': {
      const { default: fastifyJwt } = await import('@fastify/jwt');
      await app.register(fastifyJwt, {
        secret: { public: config.key.pem, private: 'unused: this server never signs' },
        verify: {
          algorithms: [config.alg],
          allowedAud: AUDIENCE,
          allowedIss: ISSUER,
          cache: config.impl === 'fastify-jwt-cache',
        },
      });
      app.addHook('onRequest', async (request) => {
        await request.jwtVerify();
      });
      break;
    }
    default:
      unsupported();
  }
  app.get('/', async () => {
    served++;
    return body;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address() as AddressInfo;
}

async function startKoa(): Promise<AddressInfo> {
  const Koa = cjs(await import('koa'));
  const app = new Koa();
  app.silent = true;
  switch (config.impl) {
    case 'bare':
      break;
    case 'ours':
    case 'ours-nocache':
      app.use((await import('@org/auth-koa')).serviceAuth(ourOptions()));
      break;
    case 'jose': {
      const key = await importJWK(config.key.jwk as JWK, config.alg);
      app.use(async (ctx, next) => {
        try {
          await jwtVerify(bearer(ctx.get('authorization')), key, joseOptions);
        } catch {
          ctx.status = 401;
          ctx.body = { error: 'invalid_token' };
          return;
        }
        await next();
      });
      break;
    }
    case 'koa-jwt': {
      const koaJwt = cjs(await import('koa-jwt'));
      // A KeyObject rather than the PEM string, as for express-jwt (both use jsonwebtoken).
      app.use(
        koaJwt({
          secret: publicKey as unknown as Buffer,
          algorithms: [config.alg],
          audience: AUDIENCE,
          issuer: ISSUER,
          debug: true,
        }),
      );
      break;
    }
    default:
      unsupported();
  }
  app.use((ctx) => {
    served++;
    ctx.body = body;
  });
  return await new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
    server.on('error', reject);
  });
}

/**
 * A @grpc/grpc-js server with one unary method (grpc-service.ts), plaintext HTTP/2. `ours`: the
 * implementation wrapped by `@org/auth-grpc`'s `protect()`, authentication only (no guard).
 */
async function startGrpc(): Promise<{ port: number }> {
  const grpc = await import('@grpc/grpc-js');
  const { benchService } = await import('./grpc-service.js');
  const answer = Buffer.from(JSON.stringify(body));
  const implementation = {
    Get: (_call: unknown, callback: (error: null, value: Buffer) => void) => {
      served++;
      callback(null, answer);
    },
  };
  const server = new grpc.Server();
  switch (config.impl) {
    case 'bare':
      server.addService(benchService, implementation);
      break;
    case 'ours':
    case 'ours-nocache': {
      const auth = (await import('@org/auth-grpc')).serviceAuth(ourOptions());
      server.addService(benchService, auth.protect(implementation, {}));
      break;
    }
    default:
      unsupported();
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port };
}

const starters = { express: startExpress, fastify: startFastify, koa: startKoa, grpc: startGrpc };

starters[config.framework]().then(
  (address) => send({ type: 'ready', port: address.port }),
  (error: unknown) => {
    send({ type: 'failed', error: errorMessage(error) });
    process.exitCode = 1;
    process.disconnect?.();
  },
);
