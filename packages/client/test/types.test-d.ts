import { expectTypeOf, it } from 'vitest';
import {
  type AuthClientError,
  type AuthClientErrorCode,
  createAuthFetch,
  type TokenClient,
} from '../src/index.js';

it('exposes stable codes and a fetch-compatible wrapper', () => {
  expectTypeOf<AuthClientError['code']>().toEqualTypeOf<AuthClientErrorCode>();
  expectTypeOf<AuthClientErrorCode>().toExtend<string>();
  expectTypeOf(createAuthFetch).returns.toEqualTypeOf<typeof fetch>();
  expectTypeOf<TokenClient['getToken']>().returns.toEqualTypeOf<Promise<string>>();
});
