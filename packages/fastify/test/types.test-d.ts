import type { AuthContext, Verifier } from '@org/auth-core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuthenticateHook,
  type AuthHook,
  fromGuard,
  requireAnyPermission,
  requireCaller,
  requireCheck,
  requireKind,
  requirePermission,
  requireRole,
  type ServiceAuthOptions,
} from '../src/index.js';

declare module '@org/auth-core' {
  interface AuthClaims {
    region?: 'eu' | 'us';
  }
}

describe('types', () => {
  it('augments FastifyRequest with auth and the instance with authenticate', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<AuthContext | null>();
    expectTypeOf<NonNullable<FastifyRequest['auth']>['claims']['region']>().toEqualTypeOf<
      'eu' | 'us' | undefined
    >();
    expectTypeOf<FastifyInstance['authenticate']>().toEqualTypeOf<AuthenticateHook>();
  });

  it('returns hooks usable as onRequest and preHandler, alone or in arrays', () => {
    expectTypeOf(requirePermission).parameters.toEqualTypeOf<string[]>();
    expectTypeOf(requirePermission).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(requireAnyPermission).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(requireRole).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(requireCaller).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(requireKind).parameter(0).toEqualTypeOf<'service' | 'user' | 'mtls' | 'hmac'>();
    expectTypeOf(requireCheck).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(fromGuard).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf<AuthHook>().parameters.toEqualTypeOf<[FastifyRequest, FastifyReply]>();
    const app = Fastify();
    app.get<{ Params: { id: string } }>(
      '/:id',
      { onRequest: [app.authenticate, requireKind('service')], preHandler: requirePermission('a:b') },
      async (request) => request.params.id,
    );
  });

  it('accepts verifier options or a verifier, never both', () => {
    expectTypeOf<{ verifier: Verifier; optional: true; global: false }>().toExtend<ServiceAuthOptions>();
    expectTypeOf<{ issuers: []; audience: 'a'; onError: 'forward' }>().toExtend<ServiceAuthOptions>();
    expectTypeOf<{ issuers: []; onError: 'next' }>().not.toExtend<ServiceAuthOptions>();
    expectTypeOf<{ verifier: Verifier; audience: 'a' }>().not.toExtend<ServiceAuthOptions>();
  });
});
