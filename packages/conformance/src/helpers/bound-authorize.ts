import { AuthConfigError } from '@org/auth-core';
import { expect } from 'vitest';

/**
 * Checks the `authorize()` an adapter's middleware offers for a verifier built without
 * `policies`: a route that would have nothing to check is refused when it is declared, one that
 * brings its own policies is not, and a malformed action is refused as always.
 */
export function expectBoundAuthorizeChecksPolicies(
  authorize: (action: string, options?: object) => unknown,
): void {
  expect(() => authorize('documents:read')).toThrow(AuthConfigError);
  expect(() => authorize('documents:read')).toThrow(
    /^policies: authorize\('documents:read'\) needs policies: createVerifier\(\{ policies \}\) or authorize\(action, \{ policies \}\)$/,
  );
  const allowAll = { name: 'allow-all', actions: ['documents:read'], decide: () => 'allow' as const };
  expect(() => authorize('documents:read', { policies: [allowAll] })).not.toThrow();
  expect(() => authorize('documents:*')).toThrow(/^authorize: expected a concrete action/);
}
