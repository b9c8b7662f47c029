import type { AuthContext, Verifier } from '@org/auth-core';
import type { Request, RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuthenticatedRequest,
  fromGuard,
  requireAnyPermission,
  requireCaller,
  requireCheck,
  requireKind,
  requirePermission,
  requireRole,
  type ServiceAuthMiddleware,
  type ServiceAuthOptions,
  serviceAuth,
} from '../src/index.js';

declare module '@org/auth-core' {
  interface AuthClaims {
    region?: 'eu' | 'us';
  }
}

describe('types', () => {
  it('augments every Express request with auth', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<AuthContext | undefined>();
    expectTypeOf<NonNullable<Request['auth']>['claims']['region']>().toEqualTypeOf<'eu' | 'us' | undefined>();
  });

  it('types extra claims per route through AuthenticatedRequest', () => {
    type Req = AuthenticatedRequest<{ tenant: string }>;
    expectTypeOf<Req['auth']['claims']['tenant']>().toEqualTypeOf<string>();
    expectTypeOf<Req['auth']['caller']>().toEqualTypeOf<string | undefined>();
  });

  it('returns request handlers', () => {
    expectTypeOf(serviceAuth).returns.toEqualTypeOf<ServiceAuthMiddleware>();
    expectTypeOf(serviceAuth).returns.toExtend<RequestHandler>();
    expectTypeOf<ServiceAuthMiddleware['authorize']>().returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(requirePermission).parameters.toEqualTypeOf<string[]>();
    expectTypeOf(requirePermission).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireAnyPermission).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireRole).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireCaller).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireKind).parameter(0).toEqualTypeOf<'service' | 'user' | 'mtls' | 'hmac'>();
    expectTypeOf(requireCheck).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(fromGuard).returns.toEqualTypeOf<RequestHandler>();
  });

  it('accepts verifier options or a verifier, never both', () => {
    expectTypeOf<{ verifier: Verifier; optional: true }>().toExtend<ServiceAuthOptions>();
    expectTypeOf<{ issuers: []; audience: 'a'; onError: 'forward' }>().toExtend<ServiceAuthOptions>();
    expectTypeOf<{ issuers: []; onError: 'next' }>().not.toExtend<ServiceAuthOptions>();
    expectTypeOf<{ verifier: Verifier; audience: 'a' }>().not.toExtend<ServiceAuthOptions>();
  });
});
