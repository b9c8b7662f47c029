import { X509Certificate } from 'node:crypto';
import type { AuthContext } from '../auth-context.js';
import type { Authenticator } from '../authn/authenticator.js';
import { AuthRejector } from '../authn/rejector.js';
import { AuthConfigError, AuthError } from '../errors.js';
import type { AuthEventListener, RequestIdentity } from '../events.js';
import { CallerPatterns } from '../grants/caller-patterns.js';
import { compileRoleMap, type RoleMap } from '../grants/role-map.js';
import { buildAuthContext } from '../identity/create-auth-context.js';
import { assertKnownKeys, optionalFunction, optionKeys } from '../lib/option-checks.js';
import { certificateThumbprint } from '../tls/certificate-thumbprint.js';
import { verifiedPeerCertificate } from '../tls/peer-certificate.js';
import type { RequestLike } from '../token/request.js';
import { compileIdentityRule, type MtlsIdentityRule } from './identity-rule.js';
import { compileGrants, type MtlsGrant } from './mtls-grants.js';

/** Options of {@link createMtlsAuthenticator}. Everything is validated when it is built. */
export interface MtlsAuthenticatorOptions {
  /**
   * Where the caller's identity is read from in the verified certificate: `'spiffe'` (default),
   * `'uri'`, `'dns'`, `'cn'` or a function. See {@link MtlsIdentityRule}.
   */
  readonly identity?: MtlsIdentityRule;
  /**
   * With `identity: 'spiffe'`: the trust domains whose SPIFFE IDs are accepted, such as
   * `['prod.example']`. Default: any trust domain the server's CAs vouch for.
   */
  readonly trustDomains?: readonly string[];
  /**
   * Identities accepted at all: exact identities or prefixes ending in `/*` or `:*`
   * (`'spiffe://prod.example/ns/billing/*'`). Others get 403 `caller_not_allowed`.
   * Default: every identity read from a verified certificate.
   */
  readonly callers?: readonly string[];
  /**
   * Permissions and roles per identity. Keys are exact identities or prefix patterns as in
   * `callers`; an identity gets the union of all entries that match it. Default: none (a
   * context that authenticates but may do nothing until guards or policies say otherwise).
   * @example { 'spiffe://prod.example/ns/billing/sa/api': { permissions: ['orders:read'] } }
   */
  readonly grants?: Readonly<Record<string, MtlsGrant>>;
  /** Permissions granted by each role named in `grants`, e.g. `{ reader: ['orders:read'] }`. */
  readonly roles?: RoleMap;
  /** `auth.issuer` of the contexts. Default `'mtls'`. */
  readonly issuer?: string;
  /** `realm` of challenges. Default: none. */
  readonly realm?: string;
  /** Receives `accepted` and `rejected` events, for your own logger. */
  readonly onEvent?: AuthEventListener;
  /** Clock in milliseconds since the epoch, for the certificate's validity. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * **Trusts a proxy.** Behind a proxy that terminates TLS, the client certificate is not on
   * the socket; this hook returns the certificate the proxy verified (an `X509Certificate` or a
   * PEM), e.g. decoded from a header the proxy sets. It replaces the socket entirely, and what
   * it returns is taken as verified: use it only when every request comes through that proxy
   * and the proxy removes the header from client requests. Default: none (the socket).
   */
  readonly certificateFromProxy?: (request: RequestLike) => X509Certificate | string | undefined;
}

const OPTIONS = optionKeys<MtlsAuthenticatorOptions>({
  identity: true,
  trustDomains: true,
  callers: true,
  grants: true,
  roles: true,
  issuer: true,
  realm: true,
  onEvent: true,
  now: true,
  certificateFromProxy: true,
});

/**
 * Authenticates callers by their TLS client certificate (mutual TLS). The server must ask for
 * certificates (`https.createServer({ requestCert: true, ca, ... })`); this reads the verified
 * certificate from `request.socket`, takes the caller's identity from it (a SPIFFE ID by
 * default) and builds a context of kind `mtls` whose `subject` and `caller` are that identity.
 *
 * Answers: no TLS or no certificate, 401 `client_certificate_required` (or `undefined` with
 * `{ optional: true }`, so it composes with `anyOf`); a certificate the TLS layer did not verify
 * (`socket.authorized !== true`, e.g. with `rejectUnauthorized: false`), 401
 * `untrusted_certificate` saying why ("client certificate expired"); a certificate without the
 * identity the rule needs, 401 `untrusted_certificate`; an identity outside `callers`, 403
 * `caller_not_allowed`.
 *
 * `auth.claims` carries `x5t#S256` (the certificate thumbprint), `serialNumber` (hex),
 * `certificateIssuer`, `notBefore` and `notAfter` (seconds); `auth.expiresAt` is `notAfter`.
 *
 * @example
 * ```ts
 * import { createMtlsAuthenticator } from '@org/auth-core';
 *
 * const mtls = createMtlsAuthenticator({
 *   trustDomains: ['prod.example'],
 *   grants: { 'spiffe://prod.example/ns/billing/sa/api': { permissions: ['orders:read'] } },
 * });
 * const auth = await mtls.authenticate(req); // req: an IncomingMessage of an https server
 * auth?.caller; // 'spiffe://prod.example/ns/billing/sa/api'
 * ```
 * @throws {AuthConfigError} for invalid options
 */
export function createMtlsAuthenticator(options: MtlsAuthenticatorOptions = {}): Authenticator {
  if (typeof options !== 'object' || options === null) {
    throw new AuthConfigError('options', "expected an options object such as { identity: 'spiffe' }");
  }
  assertKnownKeys(undefined, options, OPTIONS);
  const readIdentity = compileIdentityRule(options.identity, options.trustDomains);
  const callers = options.callers === undefined ? undefined : new CallerPatterns('callers', options.callers);
  const roles = compileRoleMap('roles', options.roles);
  const grantsOf = compileGrants(options.grants, roles);
  const issuer = options.issuer ?? 'mtls';
  if (typeof issuer !== 'string' || issuer === '') {
    throw new AuthConfigError('issuer', "expected a non-empty string such as 'mtls'");
  }
  const { realm } = options;
  if (realm !== undefined && (typeof realm !== 'string' || realm === '')) {
    throw new AuthConfigError('realm', 'expected a non-empty string');
  }
  const now = optionalFunction('now', options.now) ?? Date.now;
  const onEvent = optionalFunction('onEvent', options.onEvent);
  const fromProxy = optionalFunction('certificateFromProxy', options.certificateFromProxy);

  const rejector = new AuthRejector({ scheme: 'mTLS', realm, onEvent, now });
  const certificateOf = (request: RequestLike): X509Certificate | undefined =>
    fromProxy === undefined ? verifiedPeerCertificate(request) : proxyCertificate(fromProxy(request));

  return {
    rejector,
    async authenticate(request, authenticateOptions = {}): Promise<AuthContext | undefined> {
      let identity: RequestIdentity = { kind: 'mtls', issuer };
      try {
        const certificate = certificateOf(request);
        if (certificate === undefined) {
          if (authenticateOptions.optional) return undefined;
          throw new AuthError('client_certificate_required');
        }
        const validity = checkValidity(certificate, now());
        const subject = readIdentity(certificate);
        identity = { kind: 'mtls', issuer, subject, caller: subject };
        if (callers !== undefined && !callers.matches(subject)) throw new AuthError('caller_not_allowed');
        const granted = grantsOf(subject);
        const context = buildAuthContext(
          {
            kind: 'mtls',
            subject,
            issuer,
            permissions: granted.permissions,
            roles: granted.roles,
            expiresAt: validity.notAfter,
            claims: {
              'x5t#S256': certificateThumbprint(certificate),
              serialNumber: certificate.serialNumber,
              certificateIssuer: certificate.issuer,
              notBefore: validity.notBefore,
              notAfter: validity.notAfter,
            },
          },
          roles,
          { scheme: 'mTLS', rejector },
        );
        rejector.accepted(identity);
        return context;
      } catch (error) {
        throw rejector.reject(error, identity);
      }
    },
  };
}

/**
 * The certificate's validity in seconds, checked against our clock too: a kept-alive connection
 * can outlive the certificate it was verified with.
 */
function checkValidity(certificate: X509Certificate, nowMs: number): { notBefore: number; notAfter: number } {
  const notBefore = Math.floor(Date.parse(certificate.validFrom) / 1000);
  const notAfter = Math.floor(Date.parse(certificate.validTo) / 1000);
  const now = nowMs / 1000;
  if (!(now <= notAfter))
    throw new AuthError('untrusted_certificate', { description: 'client certificate expired' });
  if (!(now >= notBefore)) {
    throw new AuthError('untrusted_certificate', { description: 'client certificate not yet valid' });
  }
  return { notBefore, notAfter };
}

function proxyCertificate(value: unknown): X509Certificate | undefined {
  if (value === undefined || value === '') return undefined;
  if (value instanceof X509Certificate) return value;
  if (typeof value !== 'string') {
    throw new TypeError('certificateFromProxy must return an X509Certificate, a PEM string or undefined');
  }
  try {
    return new X509Certificate(value);
  } catch (cause) {
    throw new AuthError('untrusted_certificate', { description: 'malformed client certificate', cause });
  }
}
