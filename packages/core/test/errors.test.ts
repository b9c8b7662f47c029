import { describe, expect, it } from 'vitest';
import { withRealm } from '../src/errors.js';
import { AUTH_ERROR_CODES, AuthConfigError, AuthError, bearerChallenge, isAuthError } from '../src/index.js';

describe('AuthError', () => {
  it('maps every code to one status and RFC 6750 error', () => {
    const table = Object.fromEntries(
      AUTH_ERROR_CODES.map((code) => {
        const error = new AuthError(code);
        return [code, `${error.status} ${error.bearerError ?? '-'}`];
      }),
    );
    expect(table).toEqual({
      malformed_request: '400 invalid_request',
      missing_token: '401 -',
      malformed_token: '401 invalid_token',
      unsupported_token: '401 invalid_token',
      unsupported_algorithm: '401 invalid_token',
      unknown_key: '401 invalid_token',
      invalid_signature: '401 invalid_token',
      token_expired: '401 invalid_token',
      token_not_active: '401 invalid_token',
      token_too_old: '401 invalid_token',
      lifetime_too_long: '401 invalid_token',
      invalid_issuer: '401 invalid_token',
      invalid_audience: '401 invalid_token',
      invalid_token_type: '401 invalid_token',
      invalid_claim: '401 invalid_token',
      missing_claim: '401 invalid_token',
      token_revoked: '401 invalid_token',
      caller_not_allowed: '403 insufficient_scope',
      token_kind_not_allowed: '403 insufficient_scope',
      insufficient_permission: '403 insufficient_scope',
      insufficient_role: '403 insufficient_scope',
      access_denied: '403 insufficient_scope',
      policy_denied: '403 insufficient_scope',
      keys_unavailable: '503 -',
      revocation_unavailable: '503 -',
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
