import { describe, expect, it } from 'vitest';
import {
  allOf,
  anyOf,
  createHmacAuthenticator,
  createMtlsAuthenticator,
  createVerifier,
} from '../../src/index.js';

const options = {
  issuers: [
    {
      issuer: 'https://auth.test',
      secret: 'a-test-secret-of-at-least-32-bytes!!',
      algorithms: ['HS256' as const],
    },
  ],
  audience: 'payments',
};

describe('Authenticator.httpOnly', () => {
  it('names the HTTP-only mechanism an authenticator relies on, through compositions', () => {
    const bearer = createVerifier(options);
    const dpop = createVerifier({ ...options, dpop: {} });
    const hmac = createHmacAuthenticator({
      services: { billing: { secrets: ['a-test-secret-of-at-least-32-bytes!!'] } },
    });
    const mtls = createMtlsAuthenticator();
    expect(bearer.httpOnly).toBeUndefined();
    expect(mtls.httpOnly).toBeUndefined();
    expect(dpop.httpOnly).toBe('DPoP');
    expect(hmac.httpOnly).toBe('HMAC-SHA256');
    expect(anyOf(bearer, mtls).httpOnly).toBeUndefined();
    expect(anyOf(bearer, hmac).httpOnly).toBe('HMAC-SHA256');
    expect(allOf(mtls, dpop).httpOnly).toBe('DPoP');
  });
});
