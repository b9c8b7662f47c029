import { describe, expect, it } from 'vitest';
import { parseTokenText } from '../src/token-text.js';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('parseTokenText', () => {
  it.each([
    [JWT, undefined],
    [`  ${JWT}\n`, undefined],
    [`Bearer ${JWT}`, 'Bearer'],
    [`bEaReR \t${JWT}`, 'bEaReR'],
    [`Authorization: Bearer ${JWT}\n`, 'Bearer'],
    [`authorization:DPoP ${JWT}`, 'DPoP'],
  ])('reads %j', (text, scheme) => {
    expect(parseTokenText(text)).toEqual({ token: JWT, scheme });
  });

  it('reports another scheme with its credential, and never takes a JWT for a scheme', () => {
    expect(parseTokenText('Basic dXNlcjpwYXNz')).toEqual({ token: 'dXNlcjpwYXNz', scheme: 'Basic' });
    expect(parseTokenText(`${JWT} trailing`)).toEqual({ token: `${JWT} trailing`, scheme: undefined });
    expect(parseTokenText('Bearer')).toEqual({ token: 'Bearer', scheme: undefined });
  });
});
