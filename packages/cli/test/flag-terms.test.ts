import { AuthConfigError } from '@org/auth-core';
import { describe, expect, it } from 'vitest';
import { inFlagTerms } from '../src/flag-terms.js';

const flagOf = (option: string) => (option === 'lifetime' ? '--lifetime' : undefined);

describe('inFlagTerms', () => {
  it('names the flag that set an option, and the flags of recommended options', () => {
    const long = new AuthConfigError(
      'lifetime',
      '7200s is over one hour; set allowLongLifetime: true if you mean it',
    );
    expect(inFlagTerms(long, flagOf)).toBe(
      '--lifetime: 7200s is over one hour; pass --allow-long-lifetime if you mean it',
    );
    const http = new AuthConfigError(
      'issuers[0].jwksUri',
      'http only on loopback, or with allowInsecureHttp: true',
    );
    expect(inFlagTerms(http, flagOf)).toBe(
      'issuers[0].jwksUri: http only on loopback, or with --allow-insecure-http',
    );
  });

  it('leaves other messages alone', () => {
    expect(inFlagTerms(new Error('ENOENT: no such file'), flagOf)).toBe('ENOENT: no such file');
    expect(inFlagTerms('allowLongLifetimes', flagOf)).toBe('allowLongLifetimes');
  });
});
