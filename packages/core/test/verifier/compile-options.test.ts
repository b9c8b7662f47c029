import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthConfigError, createVerifier, type VerifierOptions } from '../../src/index.js';
import { toSeconds } from '../../src/lib/duration.js';

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1' };
const valid: VerifierOptions = {
  issuers: { issuer: 'https://orders.internal', jwks: { keys: [jwk] } },
  audience: 'payments',
};

function configError(options: unknown): AuthConfigError {
  try {
    createVerifier(options as VerifierOptions);
  } catch (error) {
    if (error instanceof AuthConfigError) return error;
    throw error;
  }
  throw new Error('expected an AuthConfigError');
}

describe('option validation at construction', () => {
  it('builds a verifier from valid options', () => {
    expect(createVerifier(valid)).toBeDefined();
  });

  it.each<[string, unknown, string]>([
    ['no options', undefined, 'options'],
    ['no issuers', { audience: 'payments' }, 'issuers'],
    ['empty issuers', { issuers: [], audience: 'payments' }, 'issuers'],
    ['no audience', { issuers: valid.issuers }, 'audience'],
    ['empty audience', { ...valid, audience: [] }, 'audience'],
    ['wildcard audience', { ...valid, audience: '*' }, 'audience'],
    ['unknown option', { ...valid, audiance: 'payments' }, 'options.audiance'],
    ['issuer without iss', { ...valid, issuers: { jwks: { keys: [jwk] } } }, 'issuers[0].issuer'],
    ['issuer without key source', { ...valid, issuers: { issuer: 'x' } }, 'issuers[0]'],
    [
      'issuer with two key sources',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, jwksUri: 'https://x/jwks' } },
      'issuers[0]',
    ],
    [
      'unknown issuer option',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, jwks_uri: 'y' } },
      'issuers[0].jwks_uri',
    ],
    [
      'duplicate issuer',
      {
        ...valid,
        issuers: [
          { issuer: 'x', jwks: { keys: [jwk] } },
          { issuer: 'x', jwks: { keys: [jwk] } },
        ],
      },
      'issuers[1].issuer',
    ],
    ['relative JWKS URL', { ...valid, issuers: { issuer: 'x', jwksUri: '/jwks' } }, 'issuers[0].jwksUri'],
    [
      'plain-http JWKS URL',
      { ...valid, issuers: { issuer: 'x', jwksUri: 'http://auth.example/jwks' } },
      'issuers[0].jwksUri',
    ],
    [
      'ftp JWKS URL',
      { ...valid, issuers: { issuer: 'x', jwksUri: 'ftp://auth.example/jwks' } },
      'issuers[0].jwksUri',
    ],
    [
      'discovery on plain http',
      { ...valid, issuers: { issuer: 'http://auth.example', discovery: true } },
      'issuers[0].issuer',
    ],
    [
      'discovery not true',
      { ...valid, issuers: { issuer: 'https://auth.example', discovery: 'yes' } },
      'issuers[0].discovery',
    ],
    [
      'remote option on static keys',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, cooldown: '1s' } },
      'issuers[0].cooldown',
    ],
    ['empty JWKS', { ...valid, issuers: { issuer: 'x', jwks: { keys: [] } } }, 'issuers[0].jwks'],
    [
      'non-string kid',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [{ ...jwk, kid: 1 }] } } },
      'issuers[0].jwks.keys[0].kid',
    ],
    ['garbage key', { ...valid, issuers: { issuer: 'x', publicKey: 'not a pem' } }, 'issuers[0].publicKey'],
    [
      'alg none',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, algorithms: ['none'] } },
      'issuers[0].algorithms[0]',
    ],
    [
      'lower-case alg',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, algorithms: ['es256'] } },
      'issuers[0].algorithms[0]',
    ],
    [
      'HS256 with a public key',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, algorithms: ['HS256'] } },
      'issuers[0].algorithms[0]',
    ],
    [
      'empty algorithms',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, algorithms: [] } },
      'issuers[0].algorithms',
    ],
    [
      'key fitting no allowed algorithm',
      { ...valid, issuers: { issuer: 'x', jwks: { keys: [jwk] }, algorithms: ['RS256'] } },
      'issuers[0].jwks.keys[0]',
    ],
    [
      'secret without algorithms',
      { ...valid, issuers: { issuer: 'x', secret: 'a'.repeat(64) } },
      'issuers[0].algorithms',
    ],
    [
      'secret with RS256',
      { ...valid, issuers: { issuer: 'x', secret: 'a'.repeat(64), algorithms: ['RS256'] } },
      'issuers[0].algorithms[0]',
    ],
    [
      'short secret',
      { ...valid, issuers: { issuer: 'x', secret: 'short', algorithms: ['HS256'] } },
      'issuers[0].secret',
    ],
    [
      'secret too short for HS512',
      { ...valid, issuers: { issuer: 'x', secret: 'a'.repeat(32), algorithms: ['HS256', 'HS512'] } },
      'issuers[0].secret',
    ],
    [
      'asymmetric key as secret',
      { ...valid, issuers: { issuer: 'x', secret: publicKey, algorithms: ['HS256'] } },
      'issuers[0].secret',
    ],
    [
      'bad secret type',
      { ...valid, issuers: { issuer: 'x', secret: 42, algorithms: ['HS256'] } },
      'issuers[0].secret',
    ],
    ['both kinds off', { ...valid, services: false, users: false }, 'services'],
    ['bad services value', { ...valid, services: 'yes' }, 'services'],
    ['unknown service rule', { ...valid, services: { caller: ['orders'] } }, 'services.caller'],
    ['untrusted issuer in rules', { ...valid, users: { issuers: ['https://nope'] } }, 'users.issuers[0]'],
    ['empty issuers in rules', { ...valid, users: { issuers: [] } }, 'users.issuers'],
    ['wildcard caller', { ...valid, services: { callers: ['*'] } }, 'services.callers[0]'],
    ['empty typ', { ...valid, typ: '' }, 'services.typ'],
    [
      'non-boolean allowMultipleAudiences',
      { ...valid, services: { allowMultipleAudiences: 'yes' } },
      'services.allowMultipleAudiences',
    ],
    ['bad marker', { ...valid, serviceMarker: { claim: '', value: 'x' } }, 'serviceMarker'],
    ['bad marker value', { ...valid, serviceMarker: { claim: 'source', value: {} } }, 'serviceMarker'],
    ['bad cache', { ...valid, cache: true }, 'cache'],
    ['bad cache size', { ...valid, cache: { maxEntries: 0 } }, 'cache.maxEntries'],
    ['tiny token limit', { ...valid, maxTokenLength: 10 }, 'options.maxTokenLength'],
    ['bad query parameter', { ...valid, queryParameter: '' }, 'options.queryParameter'],
    ['bad realm', { ...valid, realm: '' }, 'realm'],
    ['bad checks', { ...valid, checks: [true] }, 'checks'],
    ['bad revocation store', { ...valid, revocation: {} }, 'revocation'],
    ['bad listener', { ...valid, onEvent: 'console' }, 'onEvent'],
    ['bad clock', { ...valid, now: 5 }, 'now'],
    ['bad clock tolerance', { ...valid, clockTolerance: 'a while' }, 'clockTolerance'],
    ['negative max lifetime', { ...valid, maxLifetime: -1 }, 'maxLifetime'],
    ['zero max lifetime', { ...valid, maxLifetime: 0 }, 'maxLifetime'],
    ['bad max token age', { ...valid, maxTokenAge: '5 fortnights' }, 'services.maxTokenAge'],
    ['bad permission claims', { ...valid, permissionClaims: 'scope' }, 'permissionClaims'],
    ['bad role claim', { ...valid, roleClaim: '' }, 'roleClaim'],
    ['bad role map', { ...valid, roles: ['admin'] }, 'roles'],
    ['bad role grants', { ...valid, roles: { admin: '*' } }, 'roles.admin'],
    ['malformed role grant', { ...valid, roles: { admin: ['*:read'] } }, 'roles.admin[0]'],
    [
      'bad remote defaults',
      {
        ...valid,
        remoteKeys: { cacheMaxAge: 'forever' },
        issuers: { issuer: 'x', jwksUri: 'https://x/jwks' },
      },
      'issuers[0].cacheMaxAge',
    ],
    ['unknown remote default', { ...valid, remoteKeys: { ttl: 5 } }, 'remoteKeys.ttl'],
    [
      'bad maxKeys',
      { ...valid, issuers: { issuer: 'x', jwksUri: 'https://x/jwks', maxKeys: 0 } },
      'issuers[0].maxKeys',
    ],
    [
      'bad fetch',
      { ...valid, issuers: { issuer: 'x', jwksUri: 'https://x/jwks', fetch: 'undici' } },
      'issuers[0].fetch',
    ],
  ])('refuses %s, naming the option', (_, options, option) => {
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option}: `)).toBe(true);
  });

  it('says what to change', () => {
    expect(configError({ issuers: valid.issuers }).message).toBe(
      'audience: set the audience this service answers to (for example its name), here or in services.audience; tokens without a matching aud are refused',
    );
    expect(
      configError({ ...valid, issuers: { issuer: 'x', secret: 'short', algorithms: ['HS256'] } }).message,
    ).toBe(
      'issuers[0].secret: HS256 needs a secret of at least 32 bytes (RFC 7518 §3.2); generate one with crypto.randomBytes(32)',
    );
    expect(
      configError({ ...valid, issuers: { issuer: 'x', jwksUri: 'http://auth.example/jwks' } }).message,
    ).toContain('https');
  });

  it('never echoes a secret in its messages', () => {
    const secret = 'super-secret-value';
    const error = configError({ ...valid, issuers: { issuer: 'x', secret, algorithms: ['HS256'] } });
    expect(error.message).not.toContain(secret);
  });

  it('accepts http JWKS URLs on loopback, and elsewhere only when explicitly allowed', () => {
    for (const jwksUri of [
      'http://127.0.0.1:8080/jwks',
      'http://localhost/jwks',
      'http://[::1]:9/jwks',
      'https://auth.example/jwks',
    ]) {
      expect(createVerifier({ ...valid, issuers: { issuer: 'x', jwksUri } })).toBeDefined();
    }
    expect(
      createVerifier({
        ...valid,
        issuers: { issuer: 'x', jwksUri: 'http://auth.mesh/jwks', allowInsecureHttp: true },
      }),
    ).toBeDefined();
    expect(
      createVerifier({
        ...valid,
        remoteKeys: { allowInsecureHttp: true },
        issuers: { issuer: 'x', jwksUri: 'http://auth.mesh/jwks' },
      }),
    ).toBeDefined();
  });

  it('refuses private key material in every form, so it is never configured by mistake', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const publicKey of [
      pair.privateKey,
      pair.privateKey.export({ format: 'jwk' }),
      pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    ]) {
      const error = configError({ ...valid, issuers: { issuer: 'x', publicKey } });
      expect(error.message).toBe(
        'issuers[0].publicKey: private key material was given where a public key is expected; configure only the public key',
      );
    }
  });
});

describe('durations', () => {
  it.each<[string | number, number]>([
    [30, 30],
    ['30s', 30],
    ['5m', 300],
    ['2 hours', 7200],
    ['1d', 86_400],
    ['1w', 604_800],
    ['1y', 31_557_600],
    ['1.5h', 5400],
  ])('reads %j as %d seconds', (value, seconds) => {
    expect(toSeconds('x', value)).toBe(seconds);
  });

  it.each([['soon'], ['5 parsecs'], [-1], [Number.NaN], [null], [{}]])('refuses %j', (value) => {
    expect(() => toSeconds('x', value as never)).toThrow(AuthConfigError);
  });

  it('describes long values without echoing them', () => {
    expect(() => toSeconds('x', 'y'.repeat(100))).toThrow(/a long string/);
    expect(() => toSeconds('x', [1] as never)).toThrow(/an array/);
  });
});
