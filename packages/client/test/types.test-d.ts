import { expectTypeOf, it } from 'vitest';
import {
  type AudienceResolver,
  type AuthClientError,
  type AuthClientErrorCode,
  type AuthFetchDpopOptions,
  type AuthFetchOptions,
  type AuthFetchSignerOptions,
  createAuthFetch,
  type TokenClient,
} from '../src/index.js';

it('exposes stable codes and a fetch-compatible wrapper', () => {
  expectTypeOf<AuthClientError['code']>().toEqualTypeOf<AuthClientErrorCode>();
  expectTypeOf<AuthClientErrorCode>().toExtend<string>();
  expectTypeOf(createAuthFetch).returns.toEqualTypeOf<typeof fetch>();
  expectTypeOf<TokenClient['getToken']>().returns.toEqualTypeOf<Promise<string>>();
});

it('takes either tokens and audience, or a signer, never both', () => {
  type Tokens = { tokens: TokenClient; audience: AudienceResolver };
  type Signer = { signer: AuthFetchSignerOptions };
  expectTypeOf<Tokens>().toExtend<AuthFetchOptions>();
  expectTypeOf<Tokens & { dpop: AuthFetchDpopOptions }>().toExtend<AuthFetchOptions>();
  expectTypeOf<Signer>().toExtend<AuthFetchOptions>();
  expectTypeOf<Signer & { fetch: typeof fetch }>().toExtend<AuthFetchOptions>();
  expectTypeOf<Tokens & Signer>().not.toExtend<AuthFetchOptions>();
  expectTypeOf<Signer & { audience: AudienceResolver }>().not.toExtend<AuthFetchOptions>();
  expectTypeOf<{ audience: AudienceResolver }>().not.toExtend<AuthFetchOptions>();
});
