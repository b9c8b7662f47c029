/** DPoP (RFC 9449): a token bound to a key works only with a fresh proof of that key. */
import { generateKeyPairSync } from 'node:crypto';
import { createDpopProof } from '@org/auth-client';
import type { Kit } from '../app-spec.js';
import type { Concern, Expectation, RequestInfo } from './scenario.js';
import { challenge, missingPermission, missingToken, ok, rejected, service, withToken } from './support.js';

const DPOP_ALGS = 'algs="ES256 EdDSA RS256 PS256"';
/** What a DPoP request may be made to carry differently from a correct one. */
interface DpopChange {
  /** Send the bound token with this scheme. Default `DPoP`. */
  readonly scheme?: 'DPoP' | 'Bearer';
  /** Leave the proof out. */
  readonly noProof?: true;
  /** Make the proof for this URL, method or token instead. */
  readonly url?: string;
  readonly method?: string;
  readonly accessToken?: string;
  /** Sign the proof with another key than the token is bound to. */
  readonly otherKey?: true;
  /** Mint an unbound token. */
  readonly unbound?: true;
  /** Include the server's current nonce (for `/dpop-nonce`). */
  readonly nonce?: true;
  /** Extra claims of the token. */
  readonly claims?: Record<string, unknown>;
}
/** A DPoP-bound token of issuer A (`cnf.jkt` of the suite's DPoP key) and a proof for the request. */
const dpop =
  (change: DpopChange = {}) =>
  async (kit: Kit, request: RequestInfo): Promise<Record<string, string>> => {
    const token = await kit.token({
      ...(change.unbound ? {} : { cnf: { jkt: kit.dpop.jkt } }),
      ...change.claims,
    });
    const authorization = `${change.scheme ?? 'DPoP'} ${token}`;
    if (change.noProof) return { authorization };
    const nonce = change.nonce ? kit.dpopNonces.dpopNonce() : undefined;
    const proof = await createDpopProof({
      key: change.otherKey ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : kit.dpop.key,
      method: change.method ?? request.method,
      url: change.url ?? request.url,
      accessToken: change.accessToken ?? token,
      ...(nonce === undefined ? {} : { nonce }),
    });
    return { authorization, dpop: proof };
  };
function dpopRejected(code: string, description: string, error = code): Expectation {
  return {
    status: 401,
    wwwAuthenticate: `DPoP realm="payments", error="${error}", error_description="${description}", ${DPOP_ALGS}`,
    body: { error, error_description: description, code },
  };
}
const invalidProof = (description: string) => dpopRejected('invalid_dpop_proof', description);

export const dpopScenarios: Concern = {
  title: 'DPoP',
  scenarios: [
    {
      name: 'DPoP: bound token with a valid proof',
      path: '/dpop/whoami',
      credentials: dpop(),
      expect: ok(service),
    },
    {
      name: 'DPoP: permission check on a DPoP request',
      path: '/dpop/orders',
      credentials: dpop({ claims: { permissions: ['orders:read'] } }),
      expect: ok(service),
    },
    {
      name: 'DPoP: guard failure is challenged with DPoP',
      path: '/dpop/orders',
      credentials: dpop(),
      expect: missingPermission(['orders:read'], 'DPoP'),
    },
    {
      name: 'DPoP: bound token on a route requiring binding',
      path: '/dpop/bound',
      credentials: dpop(),
      expect: ok(service),
    },
    {
      name: 'DPoP: no proof',
      path: '/dpop/whoami',
      credentials: dpop({ noProof: true }),
      expect: invalidProof('missing DPoP proof'),
    },
    {
      name: 'DPoP: proof for another URL',
      path: '/dpop/whoami',
      credentials: (kit, request) => dpop({ url: request.url.replace('/whoami', '/orders') })(kit, request),
      expect: invalidProof('DPoP proof htu does not match the request URL'),
    },
    {
      name: 'DPoP: proof for another method',
      path: '/dpop/whoami',
      credentials: dpop({ method: 'POST' }),
      expect: invalidProof('DPoP proof htm does not match the request method'),
    },
    {
      name: 'DPoP: proof for another token',
      path: '/dpop/whoami',
      credentials: dpop({ accessToken: 'another-token' }),
      expect: invalidProof('DPoP proof ath does not match the access token'),
    },
    {
      name: 'DPoP: proof signed by another key',
      path: '/dpop/whoami',
      credentials: dpop({ otherKey: true }),
      expect: dpopRejected('invalid_claim', 'invalid DPoP key binding', 'invalid_token'),
    },
    {
      name: 'DPoP: proof replayed',
      path: '/dpop/whoami',
      replay: true,
      credentials: dpop(),
      expect: invalidProof('DPoP proof already used'),
    },
    {
      name: 'DPoP: bound token sent as a bearer token',
      path: '/dpop/whoami',
      credentials: dpop({ scheme: 'Bearer' }),
      expect: {
        status: 401,
        wwwAuthenticate: `${challenge('invalid_token', 'DPoP-bound token sent as a bearer token')}, DPoP realm="payments", ${DPOP_ALGS}`,
        body: {
          error: 'invalid_token',
          error_description: 'DPoP-bound token sent as a bearer token',
          code: 'invalid_token_type',
        },
      },
    },
    {
      name: 'DPoP: bound token where DPoP is not enabled',
      path: '/api/whoami',
      credentials: dpop({ scheme: 'Bearer', noProof: true }),
      expect: rejected(401, 'invalid_token_type', 'DPoP-bound token sent as a bearer token'),
    },
    {
      name: 'DPoP: unbound token with the DPoP scheme',
      path: '/dpop/whoami',
      credentials: dpop({ unbound: true }),
      expect: dpopRejected('invalid_token_type', 'token is not DPoP-bound', 'invalid_token'),
    },
    {
      name: 'DPoP: bearer tokens still accepted where DPoP is optional',
      path: '/dpop/whoami',
      authorization: withToken(),
      expect: ok(service),
    },
    {
      name: 'DPoP: no credentials get both challenges',
      path: '/dpop/whoami',
      expect: {
        ...missingToken,
        wwwAuthenticate: `Bearer realm="payments", DPoP realm="payments", ${DPOP_ALGS}`,
      },
    },
    {
      name: 'DPoP: proof without the server nonce',
      path: '/dpop-nonce/whoami',
      credentials: dpop(),
      expect: {
        ...dpopRejected('use_dpop_nonce', 'DPoP proof needs the server nonce'),
        headersSent: ['dpop-nonce'],
      },
    },
    {
      name: 'DPoP: proof with the server nonce',
      path: '/dpop-nonce/whoami',
      credentials: dpop({ nonce: true }),
      expect: ok(service),
    },
  ],
};
