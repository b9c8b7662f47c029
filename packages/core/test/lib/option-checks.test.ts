import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthConfigError } from '../../src/errors.js';
import { assertKnownKeys, closest } from '../../src/lib/option-checks.js';
import { createVerifier } from '../../src/verifier/verifier.js';

const issuers = [
  { issuer: 'https://orders.internal', secret: randomBytes(32), algorithms: ['HS256' as const] },
];

describe('unknown options', () => {
  it('suggests the option that a typo meant', () => {
    expect(closest('audiance', ['audience', 'issuers'])).toBe('audience');
    expect(closest('permisions', ['permissions', 'roles'])).toBe('permissions');
    expect(closest('audeince', ['audience'])).toBe('audience');
    expect(closest('Realm', ['realm'])).toBe('realm');
  });

  it('suggests nothing for a name that is not close to any option', () => {
    expect(closest('now', ['typ', 'issuers'])).toBeUndefined();
    expect(closest('somethingElse', ['audience'])).toBeUndefined();
  });

  it('names the option, the suggestion and every known key', () => {
    expect(() => assertKnownKeys('dpop', { requierd: true }, ['required', 'nonce'])).toThrow(
      'dpop.requierd: unknown option (did you mean required?); known options here are required, nonce',
    );
    expect(() => assertKnownKeys(undefined, { zzz: 1 }, ['window'])).toThrow(
      'zzz: unknown option; known options are window',
    );
  });

  it('are refused by the verifier, including sessions, delegation and policies being known', () => {
    const error = (() => {
      try {
        createVerifier({ issuers, audience: 'payments', audiance: 'payments' } as never);
      } catch (caught) {
        return caught as AuthConfigError;
      }
    })();
    expect(error).toBeInstanceOf(AuthConfigError);
    expect(error?.option).toBe('options.audiance');
    expect(error?.message).toContain('did you mean audience?');
    for (const known of ['sessions', 'delegation', 'policies', 'dpop', 'certificateBinding']) {
      expect(error?.message).toContain(known);
    }
  });

  it('are refused in nested option objects too', () => {
    expect(() => createVerifier({ issuers, audience: 'payments', cache: { maxEntry: 10 } } as never)).toThrow(
      'cache.maxEntry: unknown option (did you mean maxEntries?)',
    );
    expect(() =>
      createVerifier({ issuers, audience: 'payments', services: { caller: ['orders'] } } as never),
    ).toThrow('services.caller: unknown option (did you mean callers?)');
  });
});
