import { AuthConfigError } from '../errors.js';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Parses an endpoint URL: https, or http on loopback (`localhost`, `127.0.0.0/8`, `[::1]`)
 * unless `allowInsecureHttp` is set.
 */
export function parseEndpoint(value: string | URL, option: string, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthConfigError(option, `not a valid URL (${JSON.stringify(String(value))})`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (allowInsecureHttp || LOOPBACK.test(url.hostname))) return url;
  throw new AuthConfigError(
    option,
    'must be https (http only on loopback, or with allowInsecureHttp: true inside a trusted network)',
  );
}
