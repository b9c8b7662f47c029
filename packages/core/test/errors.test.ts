import { describe, expect, it } from 'vitest';
import { bearerChallenge, withRealm } from '../src/errors.js';
import { AUTH_ERROR_CODES, AuthConfigError, AuthError, isAuthError } from '../src/index.js';

describe('AuthError', () => {
  it('maps every code to one status and RFC 6750 error', () => {
    const table = Object.fromEntries(
      AUTH_ERROR_CODES.map((code) => {
        const error = new AuthError(code);
        return [code, `${error.status} ${error.challengeError ?? '-'} ${error.scheme}`];
      }),
    );
    expect(table).toEqual({
      malformed_request: '400 invalid_request Bearer',
      missing_token: '401 - Bearer',
      malformed_token: '401 invalid_token Bearer',
      unsupported_token: '401 invalid_token Bearer',
      unsupported_algorithm: '401 invalid_token Bearer',
      unknown_key: '401 invalid_token Bearer',
      invalid_signature: '401 invalid_token Bearer',
      token_expired: '401 invalid_token Bearer',
      token_not_active: '401 invalid_token Bearer',
      token_too_old: '401 invalid_token Bearer',
      lifetime_too_long: '401 invalid_token Bearer',
      invalid_issuer: '401 invalid_token Bearer',
      invalid_audience: '401 invalid_token Bearer',
      invalid_token_type: '401 invalid_token Bearer',
      invalid_claim: '401 invalid_token Bearer',
      missing_claim: '401 invalid_token Bearer',
      token_revoked: '401 invalid_token Bearer',
      request_expired: '401 invalid_token Bearer',
      replayed_request: '401 invalid_token Bearer',
      body_mismatch: '401 invalid_token Bearer',
      client_certificate_required: '401 - mTLS',
      untrusted_certificate: '401 invalid_token mTLS',
      certificate_mismatch: '401 invalid_token Bearer',
      invalid_dpop_proof: '401 invalid_dpop_proof DPoP',
      use_dpop_nonce: '401 use_dpop_nonce DPoP',
      caller_not_allowed: '403 insufficient_scope Bearer',
      token_kind_not_allowed: '403 insufficient_scope Bearer',
      insufficient_permission: '403 insufficient_scope Bearer',
      insufficient_role: '403 insufficient_scope Bearer',
      access_denied: '403 insufficient_scope Bearer',
      policy_denied: '403 insufficient_scope Bearer',
      keys_unavailable: '503 - Bearer',
      revocation_unavailable: '503 - Bearer',
      replay_check_unavailable: '503 - Bearer',
    });
  });

  it('reads "token expired" for an expired token, in message, body and challenge', () => {
    const error = new AuthError('token_expired');
    expect(error.message).toBe('token expired');
    expect(error.toJSON()).toEqual({
      error: 'invalid_token',
      error_description: 'token expired',
      code: 'token_expired',
    });
    expect(error.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="token expired"',
    );
  });

  it('carries its HTTP meaning for Express, Koa and Fastify error handlers', () => {
    const error = new AuthError('insufficient_permission');
    expect(error).toMatchObject({ status: 403, statusCode: 403, expose: true, name: 'AuthError' });
    expect(error.headers['WWW-Authenticate']).toContain('error="insufficient_scope"');
  });

  it('sends no error code in the challenge of a request without credentials (RFC 6750 §3.1)', () => {
    const error = new AuthError('missing_token', { realm: 'payments' });
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="payments"' });
    expect(error.toJSON().error).toBe('unauthorized');
  });

  it('answers 503 with Retry-After and no challenge when keys are unavailable', () => {
    const error = new AuthError('keys_unavailable', { retryAfter: 29.2 });
    expect(error.headers).toEqual({ 'Retry-After': '30' });
    expect(error.toJSON().error).toBe('temporarily_unavailable');
    expect(new AuthError('revocation_unavailable').headers).toEqual({});
  });

  it('keeps the cause for logs and the claim for programs', () => {
    const cause = new Error('inner');
    const error = new AuthError('invalid_claim', { claim: 'exp', cause });
    expect(error.cause).toBe(cause);
    expect(error.claim).toBe('exp');
  });

  it('adds a realm without losing anything', () => {
    const original = new AuthError('keys_unavailable', { retryAfter: 5, cause: 'x', claim: 'iss' });
    const copy = withRealm(original, 'orders');
    expect(copy).toMatchObject({
      code: 'keys_unavailable',
      retryAfter: 5,
      cause: 'x',
      claim: 'iss',
      realm: 'orders',
    });
    expect(withRealm(original, undefined)).toBe(original);
    const challenged = withRealm(new AuthError('token_revoked'), 'orders');
    expect(challenged.headers['WWW-Authenticate']).toBe(
      'Bearer realm="orders", error="invalid_token", error_description="token revoked"',
    );
  });
});

describe('challenges of other schemes', () => {
  it('answers DPoP proof failures with a DPoP challenge, its parameters and extra headers (RFC 9449 §7.1, §8)', () => {
    const error = new AuthError('use_dpop_nonce', {
      realm: 'orders',
      challengeParams: { algs: 'ES256 EdDSA' },
      extraHeaders: { 'DPoP-Nonce': 'n-1' },
    });
    expect(error.headers).toEqual({
      'DPoP-Nonce': 'n-1',
      'WWW-Authenticate':
        'DPoP realm="orders", error="use_dpop_nonce", error_description="DPoP proof needs the server nonce", algs="ES256 EdDSA"',
    });
    expect(error.toJSON()).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'DPoP proof needs the server nonce',
      code: 'use_dpop_nonce',
    });
  });

  it('lets a token error name the scheme the token came with', () => {
    const error = new AuthError('token_expired', { scheme: 'DPoP', challengeParams: { algs: 'ES256' } });
    expect(error.headers['WWW-Authenticate']).toBe(
      'DPoP error="invalid_token", error_description="token expired", algs="ES256"',
    );
    expect(withRealm(error, 'r').headers['WWW-Authenticate']).toBe(
      'DPoP realm="r", error="invalid_token", error_description="token expired", algs="ES256"',
    );
  });

  it('challenges a request without client certificate with the mTLS scheme and no error', () => {
    expect(new AuthError('client_certificate_required', { realm: 'r' }).headers).toEqual({
      'WWW-Authenticate': 'mTLS realm="r"',
    });
  });
});

describe('bearerChallenge', () => {
  it('strips characters RFC 6750 does not allow inside quoted values', () => {
    expect(bearerChallenge('invalid_token', 'bad "quote"\\ and\nnewline', 'a"b')).toBe(
      'Bearer realm="ab", error="invalid_token", error_description="bad quote andnewline"',
    );
  });

  it('is the bare scheme without parameters', () => {
    expect(bearerChallenge(undefined)).toBe('Bearer');
  });
});

describe('isAuthError', () => {
  it('recognises AuthErrors, also from another copy of the package', () => {
    expect(isAuthError(new AuthError('token_revoked'))).toBe(true);
    const foreign = Object.assign(new Error('token revoked'), { name: 'AuthError', code: 'token_revoked' });
    expect(isAuthError(foreign)).toBe(true);
  });

  it('rejects look-alikes', () => {
    expect(isAuthError(new Error('x'))).toBe(false);
    expect(isAuthError(Object.assign(new Error('x'), { name: 'AuthError', code: 'nope' }))).toBe(false);
    expect(isAuthError({ name: 'AuthError', code: 'token_revoked' })).toBe(false);
    expect(isAuthError(null)).toBe(false);
  });
});

describe('AuthConfigError', () => {
  it('is a TypeError that names the option', () => {
    const error = new AuthConfigError('issuers[0].jwksUri', 'expected an absolute URL');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('issuers[0].jwksUri: expected an absolute URL');
    expect(error).toMatchObject({ option: 'issuers[0].jwksUri', code: 'invalid_configuration' });
  });
});
