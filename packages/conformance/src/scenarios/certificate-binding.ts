/** Certificate-bound tokens (RFC 8705): the token works only over a connection with its certificate. */
import type { Kit } from '../app-spec.js';
import type { Concern } from './scenario.js';
import { bearer, challenge, ok, rejected, service, withToken } from './support.js';

/** A token of issuer A bound to a client certificate of the suite (RFC 8705). */
const boundTo = (certificate: 'billing' | 'shop') => async (kit: Kit) =>
  bearer(await kit.token({ cnf: { 'x5t#S256': kit.tls.clients[certificate].thumbprint } }));

export const certificateBindingScenarios: Concern = {
  title: 'certificate-bound tokens',
  scenarios: [
    {
      name: 'certificate-bound token with its certificate',
      path: '/api/whoami',
      clientCertificate: 'billing',
      authorization: boundTo('billing'),
      expect: ok(service),
    },
    {
      name: 'certificate-bound token with another certificate',
      path: '/api/whoami',
      clientCertificate: 'shop',
      authorization: boundTo('billing'),
      expect: rejected(401, 'certificate_mismatch', 'token is bound to another client certificate'),
    },
    {
      name: 'certificate-bound token without certificate',
      path: '/api/whoami',
      authorization: boundTo('billing'),
      expect: rejected(
        401,
        'certificate_mismatch',
        'certificate-bound token presented without a client certificate',
      ),
    },
    {
      name: 'certificate-bound token on a route requiring binding',
      path: '/dpop/bound',
      clientCertificate: 'billing',
      authorization: boundTo('billing'),
      expect: ok(service),
    },
    {
      name: 'bearer token on a route requiring binding',
      path: '/dpop/bound',
      authorization: withToken(),
      expect: {
        ...rejected(403, 'token_kind_not_allowed', 'sender-constrained token required'),
        wwwAuthenticate: challenge('insufficient_scope', 'sender-constrained token required'),
      },
    },
  ],
};
