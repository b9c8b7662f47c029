/**
 * `findAmbiguousKids`: which `kid`s of one key set name two different keys (Wycheproof's
 * DuplicateKid rule), and the reason a refused key set is logged with. The Wycheproof JSON Web
 * Key vectors flagged `DuplicateKid` (test/fixtures/wycheproof, Apache 2.0) run through it too.
 */
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASYMMETRIC_ALGORITHMS } from '../../src/keys/algorithms.js';
import { createKeyEntry, importPublicKey, importSecret, type KeyEntry } from '../../src/keys/key-entry.js';
import { duplicateKidReason, findAmbiguousKids } from '../../src/keys/key-set.js';

const allowed = new Set<string>([...ASYMMETRIC_ALGORITHMS, 'HS256', 'HS384', 'HS512']);

/** An entry as remote-key-source and the static path build it, from a JWK and its metadata. */
function entry(jwk: Record<string, unknown>): KeyEntry {
  const built = createKeyEntry(
    jwk.kty === 'oct' ? importSecret(Buffer.from(String(jwk.k), 'base64url')) : importPublicKey(jwk),
    { kid: jwk.kid as string | undefined, alg: jwk.alg, use: jwk.use, keyOps: jwk.key_ops, allowed },
  );
  if (typeof built === 'string') throw new Error(built);
  return built;
}

let rsaA: KeyObject;
let rsaB: KeyObject;
let ecA: KeyObject;
let ecB: KeyObject;
const jwk = (key: KeyObject, members: Record<string, unknown>) => ({
  ...key.export({ format: 'jwk' }),
  ...members,
});

beforeAll(() => {
  rsaA = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  rsaB = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  ecA = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  ecB = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
});

describe('findAmbiguousKids: not ambiguous', () => {
  it('an empty set', () => {
    expect(findAmbiguousKids([])).toEqual([]);
  });

  it('different keys under different kids', () => {
    expect(findAmbiguousKids([entry(jwk(ecA, { kid: 'k1' })), entry(jwk(ecB, { kid: 'k2' }))])).toEqual([]);
  });

  it('the same JWK listed twice under one kid', () => {
    const published = jwk(ecA, { kid: 'k1', alg: 'ES256', use: 'sig' });
    expect(findAmbiguousKids([entry(published), entry({ ...published })])).toEqual([]);
  });

  it('one RSA key under one kid, once with alg RS256 and once with PS256: the same key', () => {
    const rs256 = entry(jwk(rsaA, { kid: 'r1', alg: 'RS256' }));
    const ps256 = entry(jwk(rsaA, { kid: 'r1', alg: 'PS256' }));
    // Each entry stays bound to its own alg: listing both adds no algorithm the publisher left out.
    expect([...rs256.algorithms]).toEqual(['RS256']);
    expect([...ps256.algorithms]).toEqual(['PS256']);
    expect(findAmbiguousKids([rs256, ps256])).toEqual([]);
  });

  it('one key under one kid with other metadata (with and without alg, use, key_ops)', () => {
    expect(
      findAmbiguousKids([
        entry(jwk(ecA, { kid: 'k1' })),
        entry(jwk(ecA, { kid: 'k1', alg: 'ES256', use: 'sig', key_ops: ['verify'] })),
      ]),
    ).toEqual([]);
  });

  it('one RSA key whose modulus is written with a redundant leading zero: compared as keys, not as JSON', () => {
    const plain = jwk(rsaA, { kid: 'r1' });
    const padded = {
      ...plain,
      n: Buffer.concat([Buffer.from([0]), Buffer.from(String(plain.n), 'base64url')]).toString('base64url'),
    };
    expect(findAmbiguousKids([entry(plain), entry(padded)])).toEqual([]);
  });

  it('different keys without kid: a token without kid tries each key anyway', () => {
    expect(findAmbiguousKids([entry(jwk(ecA, {})), entry(jwk(ecB, {})), entry(jwk(rsaA, {}))])).toEqual([]);
  });

  it('a kid-less key and a key with a kid', () => {
    expect(findAmbiguousKids([entry(jwk(ecA, {})), entry(jwk(ecB, { kid: 'k1' }))])).toEqual([]);
  });

  it('the same shared secret twice', () => {
    const oct = { kty: 'oct', kid: 'h1', k: Buffer.alloc(32, 7).toString('base64url') };
    expect(findAmbiguousKids([entry(oct), entry({ ...oct, alg: 'HS256' })])).toEqual([]);
  });
});

describe('findAmbiguousKids: ambiguous', () => {
  it('two different keys of one type under one kid', () => {
    expect(findAmbiguousKids([entry(jwk(ecA, { kid: 'k1' })), entry(jwk(ecB, { kid: 'k1' }))])).toEqual([
      { kid: 'k1', indexes: [0, 1] },
    ]);
  });

  it('keys of different types under one kid (RFC 7517 §4.5 would tolerate it; Wycheproof does not)', () => {
    expect(
      findAmbiguousKids([entry(jwk(rsaA, { kid: 'k1', alg: 'RS256' })), entry(jwk(ecA, { kid: 'k1' }))]),
    ).toEqual([{ kid: 'k1', indexes: [0, 1] }]);
  });

  it('different RSA keys under one kid even when their algorithms do not overlap', () => {
    expect(
      findAmbiguousKids([
        entry(jwk(rsaA, { kid: 'r1', alg: 'RS256' })),
        entry(jwk(rsaB, { kid: 'r1', alg: 'PS256' })),
      ]),
    ).toEqual([{ kid: 'r1', indexes: [0, 1] }]);
  });

  it('different shared secrets under one kid', () => {
    const secret = (byte: number) => ({
      kty: 'oct',
      kid: 'h1',
      k: Buffer.alloc(32, byte).toString('base64url'),
    });
    expect(findAmbiguousKids([entry(secret(1)), entry(secret(2))])).toEqual([{ kid: 'h1', indexes: [0, 1] }]);
  });

  it('the empty string is a kid like any other', () => {
    expect(findAmbiguousKids([entry(jwk(ecA, { kid: '' })), entry(jwk(ecB, { kid: '' }))])).toEqual([
      { kid: '', indexes: [0, 1] },
    ]);
  });

  it('lists every ambiguous kid once, in order of first appearance, with all the positions of its entries', () => {
    const entries = [
      entry(jwk(ecA, { kid: 'k2' })),
      entry(jwk(ecA, { kid: 'k1' })),
      entry(jwk(ecA, { kid: 'k1', alg: 'ES256' })), // the same key again: still listed
      entry(jwk(rsaA, { kid: 'ok' })),
      entry(jwk(ecB, { kid: 'k1' })),
      entry(jwk(ecB, { kid: 'k2' })),
      entry(jwk(rsaA, { kid: 'k1' })), // a third key under k1
      entry(jwk(rsaA, { kid: 'ok', alg: 'PS256' })),
    ];
    expect(findAmbiguousKids(entries)).toEqual([
      { kid: 'k2', indexes: [0, 5] },
      { kid: 'k1', indexes: [1, 2, 4, 6] },
    ]);
  });

  it('takes plain { kid, key } pairs, not only key entries', () => {
    expect(
      findAmbiguousKids([
        { kid: 'k1', key: ecA },
        { kid: 'k1', key: ecA },
      ]),
    ).toEqual([]);
    expect(
      findAmbiguousKids([
        { kid: 'k1', key: ecA },
        { kid: 'k2', key: ecB },
        { kid: 'k1', key: ecB },
      ]),
    ).toEqual([{ kid: 'k1', indexes: [0, 2] }]);
  });
});

describe('duplicateKidReason', () => {
  it('names the kid, and never key material', () => {
    const [found] = findAmbiguousKids([entry(jwk(ecA, { kid: 'k1' })), entry(jwk(ecB, { kid: 'k1' }))]);
    const reason = duplicateKidReason(found ?? { kid: 'none' });
    expect(reason).toBe('duplicate kid "k1" names two different keys');
    for (const key of [ecA, ecB]) {
      expect(reason).not.toContain(String(key.export({ format: 'jwk' }).x).slice(0, 16));
    }
  });

  it('quotes the kid as JSON, so control characters and quotes cannot forge a log line', () => {
    expect(duplicateKidReason({ kid: 'a"b\nc' })).toBe('duplicate kid "a\\"b\\nc" names two different keys');
  });

  it('cuts a kid longer than 64 characters', () => {
    expect(duplicateKidReason({ kid: 'x'.repeat(65) })).toBe(
      `duplicate kid "${'x'.repeat(64)}…" names two different keys`,
    );
    expect(duplicateKidReason({ kid: 'x'.repeat(64) })).toBe(
      `duplicate kid "${'x'.repeat(64)}" names two different keys`,
    );
  });
});

interface JwkGroup {
  readonly comment: string;
  readonly private?: { readonly keys?: Record<string, unknown>[] };
  readonly public?: { readonly keys?: Record<string, unknown>[] };
  readonly tests: readonly { tcId: number; jws: string; result: string; flags: readonly string[] }[];
}

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']);

/** A Wycheproof keyset as this library would hold it: secrets as secrets, the rest as public keys. */
function keysetEntries(keys: readonly Record<string, unknown>[]): KeyEntry[] {
  return keys.map((key) =>
    entry(
      key.kty === 'oct'
        ? key
        : Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.has(name))),
    ),
  );
}

describe('Wycheproof JSON Web Key vectors (DuplicateKid)', () => {
  const file = JSON.parse(
    readFileSync(new URL('../fixtures/wycheproof/json_web_key_test.json', import.meta.url), 'utf8'),
  ) as { testGroups: JwkGroup[] };
  // Every keyset of the file (groups with more than one key); single keys cannot repeat a kid.
  const keysets = file.testGroups.flatMap((group) => {
    const keys = (group.public ?? group.private)?.keys ?? [];
    return keys.length > 1 ? [{ group, keys }] : [];
  });
  const flagged = (group: JwkGroup) => group.tests.some((test) => test.flags.includes('DuplicateKid'));

  it('the file has keysets, and at least one flagged DuplicateKid', () => {
    expect(keysets.map(({ group }) => group.comment)).toEqual([
      'jws_mixedSymmetryKeyset',
      'jws_keyset',
      'jws_duplicate_kid',
    ]);
    expect(keysets.filter(({ group }) => flagged(group))).toHaveLength(1);
  });

  it.each(keysets.map(({ group, keys }) => [group.comment, flagged(group), keys] as const))(
    '%s: ambiguous exactly when flagged DuplicateKid (%s)',
    (_comment, isFlagged, keys) => {
      const found = findAmbiguousKids(keysetEntries(keys));
      if (isFlagged) {
        expect(found).toEqual([{ kid: 'kid-aes-sign', indexes: [0, 1] }]);
      } else {
        expect(found).toEqual([]);
      }
    },
  );

  it('tcId 4 is a real ambiguity: its token is signed by the first of the two keys under its kid', () => {
    const group = keysets.find(({ group }) => flagged(group));
    const [vector] = group?.group.tests ?? [];
    const [header = '', payload = '', signature = ''] = vector?.jws.split('.') ?? [];
    const verifies = (group?.keys ?? []).map(
      (key) =>
        createHmac('sha256', Buffer.from(String(key.k), 'base64url'))
          .update(`${header}.${payload}`)
          .digest('base64url') === signature,
    );
    // A verifier that picks "the" key by kid accepts or refuses it by list order: refuse the set.
    expect(verifies).toEqual([true, false]);
    expect(vector?.result).toBe('invalid');
  });
});
