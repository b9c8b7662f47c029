import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/index.js';
import { decodeToken } from '../../src/protocol.js';
import { hasDuplicateMember } from '../../src/token/decode-token.js';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('duplicate member names (RFC 8725 §3.2: JSON.parse would silently keep the last)', () => {
  it('are found at any depth, escaped or not, with any whitespace', () => {
    expect(hasDuplicateMember('{"a":1,"a":2}')).toBe(true);
    expect(hasDuplicateMember('{"a" : 1 , "a" : 2}')).toBe(true);
    expect(hasDuplicateMember('{"sub":"a","s\\u0075b":"b"}')).toBe(true);
    expect(hasDuplicateMember('{"x":{"a":1,"a":2}}')).toBe(true);
    expect(hasDuplicateMember('{"x":[{"a":1},{"a":2,"b":[{"c":1,"c":1}]}]}')).toBe(true);
  });

  it('are not confused by names that only look alike, strings in arrays or escaped quotes', () => {
    expect(hasDuplicateMember('{"a":1,"b":{"a":1}}')).toBe(false);
    expect(hasDuplicateMember('{"a":["a","a"],"b":"a"}')).toBe(false);
    expect(hasDuplicateMember('{"a\\"":1,"a":"\\"a\\":"}')).toBe(false);
    expect(hasDuplicateMember('{"a\\\\":1,"a":2}')).toBe(false);
  });

  it('make the header or the payload malformed', () => {
    for (const token of [
      `${b64('{"alg":"ES256","alg":"none"}')}.${b64('{"sub":"a"}')}.c2ln`,
      `${b64('{"alg":"ES256"}')}.${b64('{"aud":"other","aud":"payments"}')}.c2ln`,
    ]) {
      expect(() => decodeToken(token)).toThrow(expect.objectContaining({ code: 'malformed_token' }));
    }
  });

  describe('properties', () => {
    it('never report a duplicate in what JSON.stringify produces', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
          expect(hasDuplicateMember(JSON.stringify(value))).toBe(false);
          expect(hasDuplicateMember(JSON.stringify(value, null, 2))).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it('always report a member repeated in a stringified object', () => {
      fc.assert(
        fc.property(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
          fc.jsonValue({ maxDepth: 2 }),
          (object, extra) => {
            const [name] = Object.keys(object) as [string];
            const json = JSON.stringify(object);
            const repeated = `${json.slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(extra)}}`;
            expect(hasDuplicateMember(repeated)).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('decodeToken agrees with JSON.parse on every token without duplicates', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), (claims) => {
          const token = `${b64('{"alg":"ES256"}')}.${b64(JSON.stringify(claims))}.c2ln`;
          let decoded: unknown;
          try {
            decoded = decodeToken(token).payload;
          } catch (error) {
            expect(error).toBeInstanceOf(AuthError);
            return;
          }
          expect(decoded).toEqual(JSON.parse(JSON.stringify(claims)));
        }),
        { numRuns: 200 },
      );
    });
  });
});
