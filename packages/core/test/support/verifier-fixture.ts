import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { type AuthEvent, createVerifier, type Verifier, type VerifierOptions } from '../../src/index.js';

/** A fixed instant for tests: 2026-01-01T00:00:00Z, in seconds. */
export const NOW = 1_767_225_600;

export interface Fixture {
  /** The verifier under test, with a frozen clock at `clock.now` (seconds). */
  readonly verifier: Verifier;
  /** Signs a token with the fixture's ES256 key (kid `k1`); `claims` override the defaults. */
  sign(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** Events the verifier emitted. */
  readonly events: AuthEvent[];
  /** The clock, in seconds; change `clock.now` to move time. */
  readonly clock: { now: number };
  /** The public JWK of the signing key. */
  readonly jwk: Record<string, unknown>;
  /** Builds another verifier with the same keys and clock. */
  with(options: FixtureOptions): Verifier;
}

/** Default claims of a valid service token for audience `payments` from issuer `https://orders.internal`. */
export function serviceClaims(now = NOW): JWTPayload & Record<string, unknown> {
  return {
    iss: 'https://orders.internal',
    sub: 'orders',
    aud: 'payments',
    iat: now,
    nbf: now,
    exp: now + 300,
    jti: 'token-1',
    source: 'microservice',
  };
}

/** Options of the fixture's verifier; `undefined` removes a default. */
export type FixtureOptions = { [K in keyof VerifierOptions]?: VerifierOptions[K] | undefined };

/** A verifier trusting one static ES256 key, and a signer for it. */
export async function createFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const events: AuthEvent[] = [];
  const clock = { now: NOW };
  const build = (extra: FixtureOptions): Verifier =>
    createVerifier({
      issuers: [{ issuer: 'https://orders.internal', jwks: { keys: [jwk] } }],
      audience: 'payments',
      now: () => clock.now * 1000,
      onEvent: (event) => events.push(event),
      ...options,
      ...extra,
    } as VerifierOptions);
  return {
    verifier: build({}),
    jwk,
    events,
    clock,
    with: build,
    sign: (claims = {}, header = {}) => {
      const payload = { ...serviceClaims(clock.now), ...claims };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header }).sign(privateKey);
    },
  };
}

/** A request as Node would parse it, with an Authorization header. */
export function bearer(token: string): { headers: Record<string, string>; rawHeaders: string[] } {
  return { headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Authorization', `Bearer ${token}`] };
}

/** Runs `promise` and returns the AuthError code it rejected with (fails if it resolved). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a rejection, but it resolved');
}
