import type { AuthContext, Verifier } from '@org/auth-core';
import type { DefaultState, Middleware, ParameterizedContext } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuthenticatedState,
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
  it('augments Koa state with auth', () => {
    expectTypeOf<DefaultState['auth']>().toEqualTypeOf<AuthContext | undefined>();
    expectTypeOf<ParameterizedContext['state']['auth']>().toEqualTypeOf<AuthContext | undefined>();
    expectTypeOf<NonNullable<DefaultState['auth']>['claims']['region']>().toEqualTypeOf<
      'eu' | 'us' | undefined
    >();
  });

  it('types extra claims per route through AuthenticatedState', () => {
    expectTypeOf<
      AuthenticatedState<{ tenant: string }>['auth']['claims']['tenant']
    >().toEqualTypeOf<string>();
  });

  it('returns middleware', () => {
    expectTypeOf(serviceAuth).returns.toEqualTypeOf<ServiceAuthMiddleware>();
    expectTypeOf(serviceAuth).returns.toExtend<Middleware>();
    expectTypeOf<ServiceAuthMiddleware['authorize']>().returns.toEqualTypeOf<Middleware>();
    expectTypeOf(requirePermission).parameters.toEqualTypeOf<string[]>();
    expectTypeOf(requirePermission).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(requireAnyPermission).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(requireRole).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(requireCaller).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(requireKind).parameter(0).toEqualTypeOf<'service' | 'user' | 'mtls' | 'hmac'>();
    expectTypeOf(requireCheck).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(fromGuard).returns.toEqualTypeOf<Middleware>();
  });

  it('accepts verifier options or a verifier, never both', () => {
    expectTypeOf<{ verifier: Verifier; optional: true }>().toExtend<ServiceAuthOptions>();
    expectTypeOf<{ issuers: []; audience: 'a'; onError: 'forward' }>().toExtend<ServiceAuthOptions>();
    expectTypeOf<{ issuers: []; onError: 'next' }>().not.toExtend<ServiceAuthOptions>();
    expectTypeOf<{ verifier: Verifier; audience: 'a' }>().not.toExtend<ServiceAuthOptions>();
  });
});
