/**
 * Project Wycheproof's JSON Web Signature and JSON Web Key vectors (C2SP/wycheproof,
 * testvectors_v1, Apache 2.0: see test/fixtures/wycheproof/LICENSE), run through
 * `verifyCompactJws`, which shares the verifier's structural decoding, algorithm/key binding and
 * signature check. The vectors' payloads are arbitrary bytes ("foo"), not JWT claims, so the
 * verifier itself cannot take them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuthConfigError, AuthError } from '../../src/index.js';
import { type JwsKeys, verifyCompactJws } from '../../src/protocol.js';

interface Vector {
  readonly tcId: number;
  readonly comment: string;
  readonly jws: string | Record<string, unknown>;
  readonly result: 'valid' | 'invalid';
  readonly flags?: readonly string[];
}
interface Group {
  readonly public?: Record<string, unknown>;
  readonly private?: Record<string, unknown>;
  readonly comment?: string;
  readonly tests: readonly Vector[];
}
const load = (name: string): { testGroups: Group[] } =>
  JSON.parse(readFileSync(new URL(`../fixtures/wycheproof/${name}`, import.meta.url), 'utf8'));

type Outcome = 'accepted' | `AuthError:${string}` | 'AuthConfigError' | `unexpected:${string}`;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/** The group's key as the verifier's options would take it: public JWKs, or a shared secret. */
function keysOf(group: Group): JwsKeys {
  if (group.public !== undefined) return { jwks: asSet(group.public) };
  const set = asSet(group.private ?? {});
  const [first, ...rest] = set.keys;
  if (first?.kty === 'oct' && rest.length === 0) {
    // The operator configures the secret with the key's own alg (an AES key's alg is refused).
    const alg = typeof first.alg === 'string' ? first.alg : 'HS256';
    return {
      secret: Buffer.from(String(first.k ?? ''), 'base64url'),
      algorithms: [alg as 'HS256' | 'HS384' | 'HS512'],
    };
  }
  // A private asymmetric key or a keyset: configure its public members, as an operator would.
  return {
    jwks: {
      keys: set.keys.map((jwk) =>
        Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.includes(name))),
      ),
    },
  };
}
function asSet(value: Record<string, unknown>): { keys: Record<string, unknown>[] } {
  return Array.isArray(value.keys) ? { keys: value.keys as Record<string, unknown>[] } : { keys: [value] };
}

async function run(group: Group, vector: Vector): Promise<Outcome> {
  // JSON serialization is not a compact JWS: hand it over as the string a client would send.
  const jws = typeof vector.jws === 'string' ? vector.jws : JSON.stringify(vector.jws);
  try {
    await verifyCompactJws(jws, keysOf(group));
    return 'accepted';
  } catch (error) {
    if (error instanceof AuthError) return `AuthError:${error.code}`;
    if (error instanceof AuthConfigError) return 'AuthConfigError';
    return `unexpected:${String(error)}`;
  }
}

/**
 * Where this library deliberately differs from the vectors' `result`, with the reason. Every
 * other `valid` vector must verify and every other `invalid` one must be rejected.
 */
const JWS_EXCEPTIONS: Readonly<Record<number, { outcome: Outcome; reason: string }>> = {
  346: {
    outcome: 'AuthError:unknown_key',
    reason:
      'RFC 7520 Figure 20 is a PS384 JWS, but the key says alg PS256; a JWK alg binds the key (RFC 7517 §4.4)',
  },
  350: { outcome: 'AuthError:unknown_key', reason: 'as 346, with key_ops instead of use' },
  347: {
    outcome: 'AuthConfigError',
    reason: 'the key says alg "ES521", which is not a JWS algorithm: the key is refused when configured',
  },
  351: { outcome: 'AuthConfigError', reason: 'as 347' },
  367: {
    outcome: 'accepted',
    reason: 'the stored jws is byte for byte the valid tcId 357: the padding the comment names is not in it',
  },
  370: { outcome: 'accepted', reason: 'as 367' },
};
/** Marked valid upstream ("?" inserted into header or payload); either outcome is acceptable. */
const EITHER_WAY = new Set([372, 373]);
/** Invalid because of the key itself: refused when the key is configured, like createVerifier would. */
const KEY_REFUSED = new Set([353, 354, 355, 356]);

describe('Wycheproof JSON Web Signature vectors', () => {
  const groups = load('json_web_signature_test.json').testGroups;
  const vectors = groups.flatMap((group) => group.tests.map((vector) => ({ group, vector })));

  it('covers every vector of the file', () => {
    expect(vectors.length).toBe(401);
  });

  it('tcIds 367 and 370 carry the same string as the valid tcId 357', () => {
    const jws = (tcId: number) => vectors.find(({ vector }) => vector.tcId === tcId)?.vector.jws;
    expect(jws(367)).toBe(jws(357));
    expect(jws(370)).toBe(jws(357));
  });

  it.each(vectors.map(({ group, vector }) => [vector.tcId, vector.comment, group, vector] as const))(
    'tcId %i: %s',
    async (tcId, _comment, group, vector) => {
      const outcome = await run(group, vector);
      expect(outcome).not.toMatch(/^unexpected:/);
      const exception = JWS_EXCEPTIONS[tcId];
      if (exception !== undefined) {
        expect(outcome).toBe(exception.outcome);
      } else if (EITHER_WAY.has(tcId)) {
        expect(outcome === 'accepted' || outcome.startsWith('AuthError:')).toBe(true);
      } else if (typeof vector.jws !== 'string') {
        // JSON serialization: this library takes compact serialization only.
        expect(outcome).toMatch(/^AuthError:/);
      } else if (vector.result === 'valid') {
        expect(outcome).toBe('accepted');
      } else if (KEY_REFUSED.has(tcId)) {
        expect(outcome).toBe('AuthConfigError');
      } else {
        expect(outcome).toMatch(/^AuthError:/);
      }
    },
  );
});

/**
 * JWK vectors: keys (and keysets) that must not verify anything. They fail when configured
 * (AuthConfigError, as `createVerifier` would) or, when the key is acceptable in itself, at
 * verification (AuthError).
 */
const JWK_EXPECTED: Readonly<Record<number, { outcome: Outcome | 'rejected'; note: string }>> = {
  1: {
    outcome: 'AuthConfigError',
    note: 'a keyset that mixes a symmetric and an asymmetric key: oct keys are never accepted in a JWKS',
  },
  2: {
    outcome: 'AuthConfigError',
    note: 'cannot apply: a keyset of two HMAC keys cannot be configured (a secret issuer has one secret; oct keys are refused in a JWKS). One HMAC key with this JWS is JWS tcId 1',
  },
  3: { outcome: 'AuthConfigError', note: 'as 2; the modified signature is JWS tcId 2' },
  4: {
    outcome: 'AuthConfigError',
    note: 'two HMAC keys with one kid: a secret issuer has exactly one secret, and oct keys are never accepted in a JWKS, so such a keyset cannot be configured at all',
  },
  5: { outcome: 'accepted', note: 'RS256' },
  6: { outcome: 'AuthConfigError', note: 'use: enc' },
  7: {
    outcome: 'AuthConfigError',
    note: 'ROCA-weak RSA key (CVE-2017-15361): refused by its fingerprint',
  },
  8: { outcome: 'AuthConfigError', note: 'RSA 1024: keys under 2048 bits are refused' },
  9: { outcome: 'AuthConfigError', note: 'RSA public exponent 1: refused' },
  10: { outcome: 'AuthConfigError', note: 'HS256 secret shorter than 32 bytes' },
  11: { outcome: 'AuthConfigError', note: 'HS384 secret shorter than 48 bytes' },
  12: { outcome: 'AuthConfigError', note: 'HS512 secret shorter than 64 bytes' },
  13: { outcome: 'accepted', note: 'long HS256 secret' },
  14: { outcome: 'accepted', note: 'long HS384 secret' },
  15: { outcome: 'accepted', note: 'long HS512 secret' },
  16: { outcome: 'AuthConfigError', note: 'empty HS256 secret' },
  17: { outcome: 'AuthConfigError', note: 'empty HS384 secret' },
  18: { outcome: 'AuthConfigError', note: 'empty HS512 secret' },
  19: { outcome: 'rejected', note: 'ES256 token, key alg of another curve' },
  20: { outcome: 'rejected', note: 'ES256 token, key with an invalid alg' },
  21: { outcome: 'rejected', note: 'invalid use' },
  22: { outcome: 'rejected', note: 'point not on the curve' },
  23: { outcome: 'rejected', note: 'wrong curve' },
  24: { outcome: 'rejected', note: 'wrong kty' },
  25: { outcome: 'rejected', note: 'an AES-GCM key is not a signing key' },
  26: { outcome: 'rejected', note: 'an AES key-wrap key is not a signing key' },
};

describe('Wycheproof JSON Web Key vectors', () => {
  const groups = load('json_web_key_test.json').testGroups;
  const vectors = groups.flatMap((group) => group.tests.map((vector) => ({ group, vector })));

  it('every vector has a stated expectation', () => {
    expect(vectors.map(({ vector }) => vector.tcId).sort((a, b) => a - b)).toEqual(
      Object.keys(JWK_EXPECTED)
        .map(Number)
        .sort((a, b) => a - b),
    );
  });

  it.each(vectors.map(({ group, vector }) => [vector.tcId, vector.comment, group, vector] as const))(
    'tcId %i: %s',
    async (tcId, _comment, group, vector) => {
      const outcome = await run(group, vector);
      const expected = JWK_EXPECTED[tcId];
      expect(outcome).not.toMatch(/^unexpected:/);
      if (expected?.outcome === 'rejected') {
        expect(outcome).toMatch(/^(AuthError:|AuthConfigError$)/);
      } else {
        expect(outcome).toBe(expected?.outcome);
      }
      // Never accept what the vectors call invalid.
      if (vector.result === 'invalid') expect(outcome).not.toBe('accepted');
    },
  );
});
