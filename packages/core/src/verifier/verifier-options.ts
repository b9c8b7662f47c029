import type { CertificateBinding } from '../binding/certificate-binding.js';
import type { ClaimOptions } from '../claims/token-rules.js';
import type { DelegationOptions } from '../delegation/delegation.js';
import type { DpopOptions } from '../dpop/dpop-options.js';
import type { AuthEventListener } from '../events.js';
import type { GrantOptions } from '../grants/grants.js';
import type { SessionCheck } from '../identity/sessions.js';
import type { KeyOptions } from '../keys/compile-issuers.js';
import { optionKeys } from '../lib/option-checks.js';
import type { AuthLogger } from '../logging/log-sink.js';
import type { AuthCheck } from '../pipeline/run-checks.js';
import type { Policy } from '../policies/policies.js';
import type { RevocationStore } from '../revocation/revocation-store.js';
import type { TelemetryOptions } from '../telemetry/telemetry-options.js';
import type { ExtractionOptions } from '../token/token-extraction.js';

/**
 * Options of `createVerifier`. Everything is validated when the verifier is built. Each concern
 * owns its part: keys ({@link KeyOptions}), claims ({@link ClaimOptions}), permissions and roles
 * ({@link GrantOptions}), token extraction ({@link ExtractionOptions}); the rest is below.
 */
export interface VerifierOptions extends KeyOptions, ClaimOptions, GrantOptions, ExtractionOptions {
  /** Revocation store, checked on every request after the signature. */
  readonly revocation?: RevocationStore;
  /** Custom checks, run in order after the built-in ones. */
  readonly checks?: readonly AuthCheck[];
  /**
   * Cache of verified signatures, keyed by the exact token string, bounded, each entry kept until
   * its token expires or its key leaves the key set. Time claims, callers, revocation and custom
   * checks still run on every request. Default `{ maxEntries: 10000 }`; `false` turns it off.
   */
  readonly cache?: false | { readonly maxEntries?: number };
  /** `realm` in `WWW-Authenticate` challenges. Default: none. */
  readonly realm?: string;
  /** Receives accepted, rejected and key events, for your own logger. */
  readonly onEvent?: AuthEventListener;
  /**
   * Reports what operators must see (an untrusted issuer, an unknown `kid`, an algorithm not
   * accepted, a key server that cannot be reached, a key set with no usable key) as warnings, and
   * other rejections as debug lines: each distinct cause once, then at most once a minute with a
   * count. Any object with `warn` (and optionally `info`, `debug`) in the shape of pino or
   * `console`. Default: nothing is logged. Fastify's adapter passes the app's logger.
   */
  readonly logger?: AuthLogger;
  /** Clock, in milliseconds since the epoch. Default `Date.now`. For tests. */
  readonly now?: () => number;
  /**
   * An existing session check, tried before the bearer token by `authenticate()`: `undefined`
   * means "no session, try the token"; a result makes a `user` context; a thrown `AuthError`
   * rejects the request (never retried as a token). Custom `checks` run on session contexts too.
   * Default: none.
   */
  readonly sessions?: SessionCheck;
  /**
   * Calls on behalf of a user: a forwarded user token header and/or trusted token-exchange
   * issuers (`act` claim, RFC 8693). Default: none (an `act` claim is then not interpreted).
   */
  readonly delegation?: DelegationOptions;
  /**
   * Attribute-based policies used by `authorize(action, { resource })`: deny overrides allow,
   * nothing allowing is 403 `policy_denied`. Default: none.
   */
  readonly policies?: readonly Policy[];
  /**
   * DPoP sender-constrained tokens (RFC 9449): accept `Authorization: DPoP <token>` with a `DPoP`
   * proof, and accept a token with `cnf.jkt` only that way. Default: off, and then a token with
   * `cnf.jkt` is always refused (a bound token is never a bearer token). See {@link DpopOptions}
   * for `required`, `algorithms`, `origin` (read it before relying on the Host header), the proof
   * age window, the replay store and server nonces. Cannot be combined with `extractToken`.
   */
  readonly dpop?: DpopOptions;
  /**
   * Certificate-bound tokens (RFC 8705 §3). A token whose `cnf` claim has `x5t#S256` is always
   * accepted only over a TLS connection whose client certificate has that SHA-256 thumbprint
   * (whether or not the certificate chains to a CA the server trusts: the handshake proved the
   * client holds its key); otherwise 401 `certificate_mismatch`. `'required'` also refuses every
   * token without that binding ("token is not bound to a client certificate"). The server must
   * ask for client certificates (`https.createServer({ requestCert: true, ... })`), and behind a
   * proxy that terminates TLS the binding cannot be checked. Default `'optional'`.
   */
  readonly certificateBinding?: CertificateBinding;
  /**
   * OpenTelemetry metrics and spans (see {@link TelemetryOptions}). Default: record to the global
   * providers when `@opentelemetry/api` is installed and an SDK is registered when the verifier is
   * built; otherwise nothing is recorded, at no cost. `true` does the same but fails at
   * construction when `@opentelemetry/api` is missing; `false` turns telemetry off.
   */
  readonly telemetry?: boolean | TelemetryOptions;
}

/** Every option name of {@link VerifierOptions}, checked against the type by the compiler. */
export const VERIFIER_OPTION_KEYS = optionKeys<VerifierOptions>({
  issuers: true,
  remoteKeys: true,
  fetch: true,
  signatureVerification: true,
  audience: true,
  services: true,
  users: true,
  serviceMarker: true,
  clockTolerance: true,
  maxLifetime: true,
  maxTokenAge: true,
  typ: true,
  requiredClaims: true,
  permissionClaims: true,
  roleClaim: true,
  roles: true,
  maxTokenLength: true,
  queryParameter: true,
  extractToken: true,
  revocation: true,
  checks: true,
  cache: true,
  realm: true,
  onEvent: true,
  logger: true,
  now: true,
  sessions: true,
  delegation: true,
  policies: true,
  dpop: true,
  certificateBinding: true,
  telemetry: true,
});
