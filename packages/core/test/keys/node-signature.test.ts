import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import fc from 'fast-check';
import { CompactSign, compactVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyJwsSignature } from '../../src/keys/node-signature.js';

interface Case {
  readonly alg: string;
  readonly privateKey: KeyObject | Uint8Array;
  readonly publicKey: KeyObject;
}

function pair(alg: string, generate: () => { privateKey: KeyObject; publicKey: KeyObject }): Case {
  const { privateKey, publicKey } = generate();
  return { alg, privateKey, publicKey };
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const secret = randomBytes(64);
const CASES: Case[] = [
  { alg: 'RS256', ...rsa },
  { alg: 'RS384', ...rsa },
  { alg: 'RS512', ...rsa },
  { alg: 'PS256', ...rsa },
  { alg: 'PS384', ...rsa },
  { alg: 'PS512', ...rsa },
  pair('ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  pair('ES384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  pair('ES512', () => generateKeyPairSync('ec', { namedCurve: 'P-521' })),
  pair('EdDSA', () => generateKeyPairSync('ed25519')),
  { alg: 'HS256', privateKey: secret, publicKey: createSecretKey(secret) },
  { alg: 'HS512', privateKey: secret, publicKey: createSecretKey(secret) },
];

async function joseAccepts(token: string, key: KeyObject, alg: string): Promise<boolean> {
  try {
    await compactVerify(token, key, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

function nodeAccepts(token: string, key: KeyObject, alg: string): boolean {
  const dot = token.lastIndexOf('.');
  return verifyJwsSignature(alg, key, token.slice(0, dot), Buffer.from(token.slice(dot + 1), 'base64url'));
}

async function signed(testCase: Case, payload: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: testCase.alg })
    .sign(testCase.privateKey);
}

describe('verifyJwsSignature agrees with jose', () => {
  it.each(CASES.map((testCase) => [testCase.alg, testCase] as const))(
    '%s: valid signatures',
    async (_, testCase) => {
      const token = await signed(testCase, '{"sub":"orders"}');
      expect(nodeAccepts(token, testCase.publicKey, testCase.alg)).toBe(true);
      expect(await joseAccepts(token, testCase.publicKey, testCase.alg)).toBe(true);
    },
  );

  it.each(CASES.map((testCase) => [testCase.alg, testCase] as const))(
    '%s: random corruptions of signature and signing input',
    async (_, testCase) => {
      const token = await signed(testCase, '{"sub":"orders","aud":"payments"}');
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const sigBytes = Buffer.from(signature, 'base64url');
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            // flip one bit of the signature
            fc.record({ kind: fc.constant('flip'), at: fc.nat({ max: sigBytes.length * 8 - 1 }) }),
            // cut or extend the signature
            fc.record({ kind: fc.constant('resize'), length: fc.nat({ max: sigBytes.length + 8 }) }),
            // change one character of the payload
            fc.record({ kind: fc.constant('payload'), at: fc.nat({ max: payload.length - 1 }) }),
          ),
          async (mutation) => {
            let candidate: string;
            if (mutation.kind === 'flip') {
              const bytes = Buffer.from(sigBytes);
              const at = (mutation as { at: number }).at;
              bytes[at >> 3] = (bytes[at >> 3] as number) ^ (1 << (at & 7));
              candidate = `${header}.${payload}.${bytes.toString('base64url')}`;
            } else if (mutation.kind === 'resize') {
              const length = (mutation as { length: number }).length;
              const bytes = Buffer.concat([sigBytes, Buffer.alloc(8)]).subarray(0, length);
              candidate = `${header}.${payload}.${bytes.toString('base64url')}`;
            } else {
              const at = (mutation as { at: number }).at;
              const replaced = payload[at] === 'A' ? 'B' : 'A';
              candidate = `${header}.${payload.slice(0, at)}${replaced}${payload.slice(at + 1)}.${signature}`;
            }
            expect(nodeAccepts(candidate, testCase.publicKey, testCase.alg)).toBe(
              await joseAccepts(candidate, testCase.publicKey, testCase.alg),
            );
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  it('refuses ECDSA signatures in DER form, like jose', async () => {
    const testCase = CASES.find((c) => c.alg === 'ES256') as Case;
    const token = await signed(testCase, '{}');
    const signingInput = token.slice(0, token.lastIndexOf('.'));
    const der = sign('sha256', Buffer.from(signingInput), testCase.privateKey as KeyObject);
    const candidate = `${signingInput}.${der.toString('base64url')}`;
    expect(nodeAccepts(candidate, testCase.publicKey, 'ES256')).toBe(false);
    expect(await joseAccepts(candidate, testCase.publicKey, 'ES256')).toBe(false);
  });

  it('accepts high-S ECDSA signatures, like jose (RFC 7518 does not forbid them)', async () => {
    const testCase = CASES.find((c) => c.alg === 'ES256') as Case;
    const token = await signed(testCase, '{}');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(signature, 'base64url');
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
    const highS = Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex');
    const candidate = `${header}.${payload}.${Buffer.concat([bytes.subarray(0, 32), highS]).toString('base64url')}`;
    expect(nodeAccepts(candidate, testCase.publicKey, 'ES256')).toBe(true);
    expect(await joseAccepts(candidate, testCase.publicKey, 'ES256')).toBe(true);
  });

  it('refuses PSS signatures whose salt is not the hash length, like jose', async () => {
    const signingInput = `${Buffer.from('{"alg":"PS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}`;
    const zeroSalt = sign('sha256', Buffer.from(signingInput), {
      key: rsa.privateKey,
      padding: 6,
      saltLength: 0,
    });
    const candidate = `${signingInput}.${zeroSalt.toString('base64url')}`;
    expect(nodeAccepts(candidate, rsa.publicKey, 'PS256')).toBe(false);
    expect(await joseAccepts(candidate, rsa.publicKey, 'PS256')).toBe(false);
  });

  it('answers false for an unknown algorithm or a key of the wrong type, never throws', () => {
    const ec = CASES.find((c) => c.alg === 'ES256') as Case;
    expect(verifyJwsSignature('none', ec.publicKey, 'a.b', Buffer.alloc(0))).toBe(false);
    expect(verifyJwsSignature('RS256', ec.publicKey, 'a.b', Buffer.alloc(256))).toBe(false);
    expect(verifyJwsSignature('EdDSA', rsa.publicKey, 'a.b', Buffer.alloc(64))).toBe(false);
    expect(verifyJwsSignature('HS256', createSecretKey(Buffer.alloc(32)), 'a.b', Buffer.alloc(31))).toBe(
      false,
    );
  });
});
