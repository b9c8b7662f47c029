import { describe, expectTypeOf, it } from 'vitest';
import type { ChallengeErrorCode } from '../src/errors.js';
import type { CallerKind } from '../src/events.js';
import {
  type AuthContext,
  type AuthError,
  type Authenticator,
  type AuthScheme,
  createHmacAuthenticator,
  createMtlsAuthenticator,
  createVerifier,
  MemoryNonceStore,
  type NonceStore,
  type RequestLike,
  requireBoundToken,
  requireKind,
  signRequest,
  type Verifier,
} from '../src/index.js';

describe('public types of signed and bound requests', () => {
  it('makes every mechanism an Authenticator the adapters accept', () => {
    expectTypeOf(createHmacAuthenticator).returns.toEqualTypeOf<Authenticator>();
    expectTypeOf(createMtlsAuthenticator).returns.toEqualTypeOf<Authenticator>();
    expectTypeOf<Verifier>().toMatchTypeOf<Authenticator>();
    expectTypeOf<Verifier['authenticateCached']>().returns.toEqualTypeOf<AuthContext | undefined>();
  });

  it('names the credential kinds and challenge schemes', () => {
    expectTypeOf<CallerKind>().toEqualTypeOf<'service' | 'user' | 'mtls' | 'hmac'>();
    expectTypeOf<AuthError['scheme']>().toEqualTypeOf<AuthScheme>();
    expectTypeOf<AuthScheme>().toEqualTypeOf<'Bearer' | 'DPoP' | 'HMAC-SHA256' | 'mTLS'>();
    expectTypeOf<'use_dpop_nonce'>().toMatchTypeOf<ChallengeErrorCode>();
    expectTypeOf(requireKind).parameters.toEqualTypeOf<CallerKind[]>();
    expectTypeOf(requireBoundToken).parameter(0).toEqualTypeOf<'certificate' | 'dpop' | undefined>();
  });

  it('takes a NonceStore anywhere a replay store is asked for', () => {
    expectTypeOf<MemoryNonceStore>().toMatchTypeOf<NonceStore>();
    createHmacAuthenticator({
      services: { billing: { secrets: ['x'.repeat(32)] } },
      nonces: new MemoryNonceStore(),
    });
    createVerifier({
      issuers: [],
      audience: 'a',
      dpop: { replayStore: new MemoryNonceStore(), nonce: true },
    });
    expectTypeOf(signRequest).returns.toEqualTypeOf<string>();
  });

  it("accepts Node's IncomingMessage as a request", () => {
    expectTypeOf<import('node:http').IncomingMessage>().toMatchTypeOf<RequestLike>();
  });
});
