import { assertKnownKeys } from '@org/auth-core/adapter';
import { AuthConfigError } from '../errors.js';

/**
 * Refuses an options object that is not an object, or that has a key outside `known`: a typo
 * such as `permisions` would otherwise be ignored and change what the caller gets without a
 * word. The error names the option's path, suggests the closest known key and lists them all:
 * `permisions: unknown option (did you mean permissions?); known options are issuer, ...`.
 *
 * @param option - where the object sits, such as `'signer'` or `'retry'`; `undefined` for the
 *   options of a function itself, whose keys are then named alone, as in every other option error
 *   of this package (`lifetime: ...`, `signer.keyId: ...`)
 * @param known - the keys of the options type, from `optionKeys<T>()` so they cannot drift from it
 * @param expected - what to ask for when `value` is not an object
 * @throws {AuthConfigError}
 */
export function checkOptions(
  option: string | undefined,
  value: unknown,
  known: readonly string[],
  expected = 'an object',
): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthConfigError(option ?? 'options', `expected ${expected}`);
  }
  assertKnownKeys(option, value, known);
}
