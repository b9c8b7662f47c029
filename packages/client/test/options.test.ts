import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  createAuthFetch,
  createClientCredentialsSource,
  createDpopProof,
  createJwksHandler,
  createKeyRing,
  createSelfSignedSource,
  createTokenClient,
  exportPrivateKeyPem,
  generateSigningKey,
  importSigningKey,
  jwksResponse,
  KeyRing,
  loadSigningKeyFromEnv,
  loadSigningKeyFromFile,
  type SigningKey,
} from '../src/index.js';

let key: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  key = await generateSigningKey();
  otherKey = await generateSigningKey();
});

const SECRET = 'billing-ledger-secret-of-32-bytes+';
const tokens = () => createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
const orders = { 'https://orders.internal': 'orders' };

/** A typo in one options object, and what the error must say about it. */
interface Typo {
  /** The function (and nested option) that takes the object. */
  readonly where: string;
  readonly call: () => unknown;
  /** Whether the function returns a promise, which then rejects; else it throws at once. */
  readonly async: boolean;
  /** The path the error names. */
  readonly option: string;
  /** The key that was meant. */
  readonly meant: string;
  /** Every key the object takes, as listed in the error. */
  readonly known: readonly string[];
}

const TYPOS: readonly Typo[] = [
  {
    where: 'createSelfSignedSource',
    call: () => createSelfSignedSource({ issuer: 'billing', key, permisions: ['orders:read'] } as never),
    async: false,
    option: 'permisions',
    meant: 'permissions',
    known: [
      'issuer',
      'subject',
      'key',
      'lifetime',
      'allowLongLifetime',
      'allowSymmetric',
      'permissions',
      'scope',
      'claims',
      'certificate',
      'confirmation',
      'marker',
      'typ',
      'now',
    ],
  },
  {
    where: 'createSelfSignedSource: marker',
    call: () =>
      createSelfSignedSource({ issuer: 'billing', key, marker: { claim: 'source', valeu: 'svc' } } as never),
    async: false,
    option: 'marker.valeu',
    meant: 'value',
    known: ['claim', 'value'],
  },
  {
    where: 'createClientCredentialsSource',
    call: () =>
      createClientCredentialsSource({
        tokenEndpoint: 'https://as.example/token',
        clientId: 'billing',
        clientSecret: 's',
        scopes: 'orders:read',
      } as never),
    async: false,
    option: 'scopes',
    meant: 'scope',
    known: [
      'tokenEndpoint',
      'issuer',
      'clientId',
      'clientSecret',
      'privateKey',
      'authMethod',
      'assertionAudience',
      'audienceParameter',
      'scope',
      'extraParams',
      'retry',
      'timeout',
      'defaultExpiresIn',
      'allowInsecureHttp',
      'fetch',
      'now',
    ],
  },
  {
    where: 'createClientCredentialsSource: retry',
    call: () =>
      createClientCredentialsSource({
        tokenEndpoint: 'https://as.example/token',
        clientId: 'billing',
        clientSecret: 's',
        retry: { attempt: 5 },
      } as never),
    async: false,
    option: 'retry.attempt',
    meant: 'attempts',
    known: ['attempts', 'minDelay', 'maxDelay'],
  },
  {
    where: 'createTokenClient',
    call: () =>
      createTokenClient({
        source: createSelfSignedSource({ issuer: 'billing', key }),
        maxEntry: 10,
      } as never),
    async: false,
    option: 'maxEntry',
    meant: 'maxEntries',
    known: [
      'source',
      'refreshMargin',
      'failureCooldown',
      'maxFailureCooldown',
      'maxEntries',
      'onRefreshError',
      'now',
    ],
  },
  {
    where: 'TokenClient.getToken',
    call: () => tokens().getToken('orders', { scopes: 'orders:read' } as never),
    async: true,
    option: 'scopes',
    meant: 'scope',
    known: ['scope', 'rejectedToken'],
  },
  {
    where: 'TokenClient.invalidate',
    call: () => tokens().invalidate('orders', { scopes: 'orders:read' } as never),
    async: false,
    option: 'scopes',
    meant: 'scope',
    known: ['scope'],
  },
  {
    where: 'createAuthFetch',
    call: () => createAuthFetch({ tokens: tokens(), audiences: orders } as never),
    async: false,
    option: 'audiences',
    meant: 'audience',
    known: ['tokens', 'audience', 'scope', 'dpop', 'signer', 'fetch'],
  },
  {
    where: 'createAuthFetch: dpop',
    call: () => createAuthFetch({ tokens: tokens(), audience: orders, dpop: { kye: key } } as never),
    async: false,
    option: 'dpop.kye',
    meant: 'key',
    known: ['key', 'alg', 'now'],
  },
  {
    where: 'createAuthFetch: signer',
    call: () =>
      createAuthFetch({
        signer: { keyId: 'billing', secret: SECRET, signedHeader: ['x-request-id'] },
      } as never),
    async: false,
    option: 'signer.signedHeader',
    meant: 'signedHeaders',
    known: ['keyId', 'secret', 'signedHeaders', 'now'],
  },
  {
    where: 'createDpopProof',
    call: () =>
      createDpopProof({ key, method: 'GET', url: 'https://orders.internal/', acessToken: 't' } as never),
    async: true,
    option: 'acessToken',
    meant: 'accessToken',
    known: ['key', 'method', 'url', 'accessToken', 'nonce', 'alg', 'now'],
  },
  {
    where: 'createKeyRing',
    call: () => createKeyRing({ retireGarce: '5m' } as never),
    async: true,
    option: 'retireGarce',
    meant: 'retireGrace',
    known: ['alg', 'retireGrace', 'current', 'next', 'now'],
  },
  {
    where: 'new KeyRing',
    call: () => new KeyRing(key, otherKey, { algo: 'ES256' } as never),
    async: false,
    option: 'algo',
    meant: 'alg',
    known: ['alg', 'retireGrace', 'current', 'next', 'now'],
  },
  {
    where: 'generateSigningKey',
    call: () => generateSigningKey({ algo: 'EdDSA' } as never),
    async: true,
    option: 'algo',
    meant: 'alg',
    known: ['alg', 'kid'],
  },
  {
    where: 'importSigningKey',
    call: () => importSigningKey(exportPrivateKeyPem(key), { kidd: 'billing-1' } as never),
    async: true,
    option: 'kidd',
    meant: 'kid',
    known: ['alg', 'kid'],
  },
  {
    where: 'loadSigningKeyFromFile',
    call: () => loadSigningKeyFromFile('/nonexistent/key.pem', { kidd: 'billing-1' } as never),
    async: true,
    option: 'kidd',
    meant: 'kid',
    known: ['alg', 'kid'],
  },
  {
    where: 'loadSigningKeyFromEnv',
    call: () => loadSigningKeyFromEnv('BILLING_KEY', { envs: { BILLING_KEY: 'x' } } as never),
    async: true,
    option: 'envs',
    meant: 'env',
    known: ['alg', 'kid', 'env'],
  },
  {
    where: 'jwksResponse',
    call: () => jwksResponse([key], { maxage: 60 } as never),
    async: false,
    option: 'maxage',
    meant: 'maxAge',
    known: ['maxAge'],
  },
  {
    where: 'createJwksHandler',
    call: () => createJwksHandler([key], { max_age: 60 } as never),
    async: false,
    option: 'max_age',
    meant: 'maxAge',
    known: ['maxAge'],
  },
];

/** The error a call fails with, and whether it was thrown at once or as a rejected promise. */
async function refusal(call: () => unknown): Promise<{ error: unknown; async: boolean }> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return { error, async: false };
  }
  try {
    await result;
  } catch (error) {
    return { error, async: true };
  }
  throw new Error('expected the options to be refused');
}

describe('every options object refuses unknown keys', () => {
  it.each(TYPOS)('$where: $option', async (typo) => {
    const { error, async } = await refusal(typo.call);
    expect(error).toBeInstanceOf(AuthConfigError);
    expect(async).toBe(typo.async);
    const { option, message } = error as AuthConfigError;
    expect(option).toBe(typo.option);
    expect(message.startsWith(`${typo.option}: unknown option (did you mean ${typo.meant}?); `)).toBe(true);
    expect(message.endsWith(` are ${typo.known.join(', ')}`)).toBe(true);
  });

  it('suggests nothing for a key that is no near miss, and still lists the known ones', () => {
    expect(() => createSelfSignedSource({ issuer: 'billing', key, audience: 'orders' } as never)).toThrow(
      /^audience: unknown option; known options are issuer, subject, key, /,
    );
  });

  it('names the nested option that is not an object at all', () => {
    expect(() =>
      createClientCredentialsSource({
        tokenEndpoint: 'https://as.example/token',
        clientId: 'billing',
        clientSecret: 's',
        retry: 3 as never,
      }),
    ).toThrow(/^retry: expected an object such as \{ attempts: 3/);
    expect(() => createSelfSignedSource({ issuer: 'billing', key, marker: 'source' as never })).toThrow(
      /^marker: expected an object such as \{ claim: 'source', value: 'microservice' \} or false/,
    );
    expect(() => createAuthFetch({ tokens: tokens(), audience: orders, dpop: [key] as never })).toThrow(
      /^dpop: expected \{ key \}/,
    );
    expect(() =>
      createTokenClient({
        source: createSelfSignedSource({ issuer: 'billing', key }),
        onRefreshError: 'console.warn' as never,
      }),
    ).toThrow(/^onRefreshError: expected a function \(error, info\) => void/);
  });

  it('accepts every documented key, including the ones left undefined', () => {
    expect(() =>
      createSelfSignedSource({
        issuer: 'billing',
        key,
        subject: undefined,
        marker: { claim: 'source', value: 'microservice' },
      } as never),
    ).not.toThrow();
    expect(() =>
      createTokenClient({
        source: createSelfSignedSource({ issuer: 'billing', key }),
        refreshMargin: '30s',
        failureCooldown: '2s',
        maxFailureCooldown: '1m',
        maxEntries: 10,
        onRefreshError: () => {},
        now: Date.now,
      }),
    ).not.toThrow();
  });
});
