import { expect } from 'vitest';
import { AuthConfigError, AuthError, type AuthErrorCode } from '../../src/errors.js';

/** Awaits `promise`, expects it to reject with an {@link AuthError} of `code`, and returns the error. */
export async function expectAuthError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected a rejection with ${code}`).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe(code);
  return error as AuthError;
}

/** Runs `build`, expects it to throw an {@link AuthConfigError}, and returns the error. */
export function expectConfigError(build: () => unknown, option?: string | RegExp): AuthConfigError {
  let error: unknown;
  try {
    build();
  } catch (caught) {
    error = caught;
  }
  expect(error, 'expected an AuthConfigError').toBeInstanceOf(AuthConfigError);
  if (option !== undefined) expect((error as AuthConfigError).option).toMatch(option);
  return error as AuthConfigError;
}
