/** mTLS: client certificates as identities (served over HTTPS, certificates made by the suite's CA). */
import { BILLING_SPIFFE_ID } from '../app-spec.js';
import type { Concern, Expectation } from './scenario.js';
import { missingPermission, ok, rejectedWith, withToken } from './support.js';

const mtlsCaller = { kind: 'mtls', issuer: 'mtls', caller: BILLING_SPIFFE_ID, subject: BILLING_SPIFFE_ID };
/** No client certificate: the mTLS challenge, without an error (like a missing bearer token). */
const certificateRequired: Expectation = {
  status: 401,
  wwwAuthenticate: 'mTLS realm="payments"',
  body: {
    error: 'unauthorized',
    error_description: 'client certificate required',
    code: 'client_certificate_required',
  },
};
const untrusted = (description: string) => rejectedWith('mTLS', 401, 'untrusted_certificate', description);

export const mtlsScenarios: Concern = {
  title: 'mTLS client certificates',
  scenarios: [
    {
      name: 'mTLS: trusted certificate',
      path: '/mtls/whoami',
      clientCertificate: 'billing',
      expect: ok(mtlsCaller),
    },
    {
      name: 'mTLS: permission from the grants',
      path: '/mtls/orders',
      clientCertificate: 'billing',
      expect: ok(mtlsCaller),
    },
    {
      name: 'mTLS: requireCaller on the identity',
      path: '/mtls/internal',
      clientCertificate: 'billing',
      expect: ok(mtlsCaller),
    },
    {
      name: 'mTLS: identity without the permission',
      path: '/mtls/orders',
      clientCertificate: 'shop',
      expect: missingPermission(['orders:read'], 'mTLS'),
    },
    {
      name: 'mTLS: identity not among the callers',
      path: '/mtls/internal',
      clientCertificate: 'shop',
      expect: rejectedWith('mTLS', 403, 'caller_not_allowed', 'caller not allowed'),
    },
    {
      name: 'mTLS: no client certificate',
      path: '/mtls/whoami',
      expect: certificateRequired,
    },
    {
      name: 'mTLS: a bearer token is no client certificate',
      path: '/mtls/whoami',
      authorization: withToken(),
      expect: certificateRequired,
    },
    {
      name: 'mTLS: expired certificate',
      path: '/mtls/whoami',
      clientCertificate: 'expired',
      expect: untrusted('client certificate expired'),
    },
    {
      name: 'mTLS: certificate of an untrusted CA',
      path: '/mtls/whoami',
      clientCertificate: 'untrusted',
      expect: untrusted('client certificate issuer not trusted'),
    },
    {
      name: 'mTLS: certificate without the identity the rule reads',
      path: '/mtls/whoami',
      clientCertificate: 'unnamed',
      expect: untrusted('client certificate has no URI name'),
    },
    {
      name: 'mTLS: an identity counts as bound',
      path: '/mtls/bound',
      clientCertificate: 'billing',
      expect: ok(mtlsCaller),
    },
  ],
};
