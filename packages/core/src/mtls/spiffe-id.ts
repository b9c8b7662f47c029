/**
 * SPIFFE ID syntax (SPIFFE ID specification §2): `spiffe://<trust domain>/<path>`, the trust
 * domain of lower-case letters, digits, `.`, `-` and `_`; path segments of letters, digits, `.`,
 * `-` and `_`, never `.` or `..`; no port, user info, query, fragment or percent-encoding.
 * @internal
 */

const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;
// SPIFFE ID specification §2.3: URIs longer than 2048 bytes need not be accepted.
const MAX_LENGTH = 2048;

/** True when `value` is a valid trust domain name such as `prod.example`. */
export function isTrustDomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && TRUST_DOMAIN.test(value);
}

/**
 * The trust domain of a workload SPIFFE ID (one with a path), or `undefined` when `value` is not
 * one.
 */
export function spiffeTrustDomain(value: string): string | undefined {
  if (value.length > MAX_LENGTH || !value.startsWith('spiffe://')) return undefined;
  const rest = value.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  if (slash === -1) return undefined; // a trust domain ID names no workload
  const domain = rest.slice(0, slash);
  if (!isTrustDomain(domain)) return undefined;
  for (const segment of rest.slice(slash + 1).split('/')) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') return undefined;
  }
  return domain;
}
