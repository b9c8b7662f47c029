import { randomUUID } from 'node:crypto';
import { type AttackEnvironment, createAttackEnvironment } from '@org/auth-testing/attack-corpus';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, type Target } from './app-spec.js';
import { type Running, send } from './client.js';

/**
 * What may answer a request, whatever its Authorization header: 200, 400 (`invalid_request` for a
 * malformed header, RFC 6750 §3.1), 401, 403 or 503. Never a 500.
 */
const ALLOWED = [200, 400, 401, 403, 503];
/** What a tampered token gets: refused as a malformed header (400) or as an invalid token (401). */
const REFUSED = [400, 401];
const RUNS = 60;
const TIME_LIMIT_MS = 8000;

/** Header-safe text: printable ASCII (Node refuses CR, LF and NUL in header values). */
const headerText = (maxLength: number) =>
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength }).map((codes) => String.fromCharCode(...codes));
const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/);

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/**
 * The other spellings of a base64url segment that decode to the same bytes: its last character
 * carries 4 unused bits when the segment length is 2 mod 4, and 2 when it is 3 mod 4 (RFC 4648
 * §3.5); setting any of them changes the text, not the bytes.
 */
function nonCanonicalSpellings(segment: string): string[] {
  const unused = { 0: 0, 1: 0, 2: 0b1111, 3: 0b11 }[(segment.length % 4) as 0 | 1 | 2 | 3];
  const last = BASE64URL.indexOf(segment.slice(-1));
  const spellings: string[] = [];
  for (let bits = 1; bits <= unused; bits++) {
    spellings.push(`${segment.slice(0, -1)}${BASE64URL.charAt((last & ~unused) | bits)}`);
  }
  return spellings;
}

/**
 * Bounded HTTP fuzzing through one target: random Authorization headers and random or mutated
 * tokens never get a 500, a tampered token is never accepted, and a flood of random `kid`s cannot
 * make the verifier hammer the key server. Every loop is bounded in runs and in time.
 */
export function describeFuzz(target: Target): void {
  describe('fuzz', () => {
    let env: AttackEnvironment;
    let app: Running;
    beforeAll(async () => {
      env = await createAttackEnvironment();
      app = await target.start(appSpec(env.options));
      // Warm the key cache, so that the fetch budget below counts only what the fuzzing causes.
      const warm = await send(app.url, {
        path: '/api/whoami',
        headers: { authorization: `Bearer ${env.valid()}` },
      });
      expect(warm.status).toBe(200);
    });
    afterAll(async () => {
      await app?.close();
      await env?.close();
    });

    const answer = async (authorization: string) => {
      const reply = await send(app.url, { path: '/api/whoami', headers: { authorization } });
      return { status: reply.status, code: (reply.json as { code?: unknown } | undefined)?.code };
    };
    const status = async (authorization: string) => (await answer(authorization)).status;

    it('random Authorization headers', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            headerText(200),
            headerText(200).map((text) => `Bearer ${text}`),
            fc.tuple(b64url, b64url, b64url).map((parts) => `Bearer ${parts.join('.')}`),
            fc.constantFrom('Bearer', 'Bearer  ', 'Basic x', 'bearer\t.', 'Bearer a.b.c.d.e'),
          ),
          async (authorization) => {
            expect(ALLOWED).toContain(await status(authorization));
          },
        ),
        { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
      );
    });

    // A JWS signs the encoded header and payload, so any change to them breaks the signature; a
    // change to the signature changes its bytes, except in a segment's unused trailing bits, which
    // strict decoding refuses (the test after this one). So: accepted only when unchanged.
    it('a valid token with one character changed or cut is refused, unless the change left it identical', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.integer({ min: 0x21, max: 0x7e }),
          fc.boolean(),
          async (at, code, cut) => {
            const token = env.valid();
            const index = at % token.length;
            const mutated = cut
              ? token.slice(0, index)
              : `${token.slice(0, index)}${String.fromCharCode(code)}${token.slice(index + 1)}`;
            const result = await status(`Bearer ${mutated}`);
            if (mutated === token) expect(result).toBe(200);
            else expect(REFUSED).toContain(result);
          },
        ),
        { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
      );
    });

    it('a non-canonical spelling of a valid token (unused bits set) decodes to the same bytes and is refused', async () => {
      // A token whose three segments all end in a partial group, so each has other spellings.
      const token = ['', 'a', 'aa']
        .map((pad) => env.valid({ pad }))
        .find((candidate) => candidate.split('.').every((segment) => segment.length % 4 !== 0));
      if (token === undefined) throw new Error('no token with three partial final groups');
      const segments = token.split('.');
      expect(await answer(`Bearer ${token}`)).toEqual({ status: 200, code: undefined });
      for (const [at, segment] of segments.entries()) {
        const spellings = nonCanonicalSpellings(segment);
        expect(spellings).toHaveLength(segment.length % 4 === 2 ? 15 : 3);
        expect(spellings).not.toContain(segment);
        for (const spelling of spellings) {
          expect(Buffer.from(spelling, 'base64url')).toEqual(Buffer.from(segment, 'base64url'));
          const respelled = segments.map((part, i) => (i === at ? spelling : part)).join('.');
          expect(await answer(`Bearer ${respelled}`)).toEqual({ status: 401, code: 'malformed_token' });
        }
      }
    });

    it('random headers and claims, validly signed', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
          fc.dictionary(
            fc.constantFrom(
              'iss',
              'aud',
              'exp',
              'nbf',
              'iat',
              'sub',
              'source',
              'jti',
              'permissions',
              'nonce',
            ),
            fc.jsonValue({ maxDepth: 1 }),
            { maxKeys: 4 },
          ),
          async (header, patch) => {
            const token = env.jws(
              { ...header, alg: 'ES256', kid: 'ec-1' },
              env.claims(patch),
              env.signers.ec.sign,
            );
            expect(ALLOWED).toContain(await status(`Bearer ${token}`));
          },
        ),
        { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
      );
    });

    it('a flood of random kids stays within the key server fetch budget', async () => {
      const before = env.jwksFetches();
      for (let i = 0; i < 100; i++) {
        const token = env.jws({ alg: 'ES256', kid: randomUUID() }, env.claims(), env.signers.attacker.sign);
        expect(await status(`Bearer ${token}`)).toBe(401);
      }
      // Unknown kids refetch at most once a second and 10 times a minute (the core's defaults,
      // unknownKidInterval and unknownKidFetchesPerMinute): no timing is asserted, only that 100
      // kids did not cause more than the minute's budget of fetches.
      expect(env.jwksFetches() - before).toBeLessThanOrEqual(10);
    });
  });
}
