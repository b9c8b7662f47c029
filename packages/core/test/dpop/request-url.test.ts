import { describe, expect, it } from 'vitest';
import { normalizeHttpUrl, requestOrigin, requestPath } from '../../src/dpop/request-url.js';
import { AuthError } from '../../src/index.js';

describe('normalizeHttpUrl (RFC 9449 §4.3 with RFC 3986 §6.2.2 and §6.2.3)', () => {
  it('lower-cases scheme and host and drops the default port', () => {
    expect(normalizeHttpUrl('HTTPS://Payments.INTERNAL:443/orders')).toEqual({
      origin: 'https://payments.internal',
      path: '/orders',
    });
    expect(normalizeHttpUrl('http://payments.internal:80')).toEqual({
      origin: 'http://payments.internal',
      path: '/',
    });
  });

  it('keeps other ports and the case of the path', () => {
    expect(normalizeHttpUrl('https://payments.internal:8443/Orders')).toEqual({
      origin: 'https://payments.internal:8443',
      path: '/Orders',
    });
  });

  it('ignores the query and the fragment', () => {
    expect(normalizeHttpUrl('https://a.internal/x?y=1#z')?.path).toBe('/x');
  });

  it('normalizes percent-encoding and dot segments', () => {
    expect(normalizeHttpUrl('https://a.internal/%7euser/%2fsecret/../b%41')?.path).toBe('/~user/bA');
    expect(normalizeHttpUrl('https://a.internal/a%2fb')?.path).toBe('/a%2Fb');
  });

  it('refuses other schemes, relative URLs and user information', () => {
    expect(normalizeHttpUrl('ftp://a.internal/x')).toBeUndefined();
    expect(normalizeHttpUrl('/x')).toBeUndefined();
    expect(normalizeHttpUrl('https://user:pw@a.internal/x')).toBeUndefined();
  });
});

describe('the request URL', () => {
  const base = { headers: { host: 'Payments.Internal:443' }, socket: { encrypted: true } };

  it('takes the origin from the Host header and the TLS state of the connection', () => {
    expect(requestOrigin(base)).toBe('https://payments.internal');
    expect(requestOrigin({ headers: { host: 'localhost:3000' }, socket: { encrypted: false } })).toBe(
      'http://localhost:3000',
    );
  });

  it('refuses a missing, repeated or smuggling Host header with 400', () => {
    for (const request of [
      { headers: {} },
      { headers: { host: 'a' }, rawHeaders: ['Host', 'a', 'Host', 'b'] },
      { headers: { host: 'evil.internal/x' } },
      { headers: { host: 'user@a.internal' } },
    ]) {
      expect(() => requestOrigin(request)).toThrow(AuthError);
    }
  });

  it('prefers originalUrl and never reads a leading // as a host', () => {
    expect(requestPath({ headers: {}, url: '/42', originalUrl: '/orders/42?x=1' })).toBe('/orders/42');
    expect(requestPath({ headers: {}, url: '//evil.internal/x' })).toBe('//evil.internal/x');
  });

  it('reads the path of an absolute-form target and refuses targets without a path', () => {
    expect(requestPath({ headers: {}, url: 'https://a.internal/x?q' })).toBe('/x');
    expect(() => requestPath({ headers: {}, url: '*' })).toThrow(AuthError);
  });
});
