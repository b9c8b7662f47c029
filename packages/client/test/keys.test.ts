import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createJwksHandler,
  exportPrivateKeyPem,
  generateSigningKey,
  importSigningKey,
  jwksResponse,
  loadSigningKeyFromEnv,
  loadSigningKeyFromFile,
  toPublicJwks,
} from '../src/index.js';
import { startServer } from './helpers.js';

describe('signing keys', () => {
  it.each(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'] as const)(
    'generates %s keys',
    async (alg) => {
      const key = await generateSigningKey({ alg });
      expect(key.alg).toBe(alg);
      expect(key.publicJwk).toMatchObject({ alg, kid: key.kid, use: 'sig' });
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.kid).toMatch(/^[\w-]{43}$/); // RFC 7638 thumbprint
    },
  );

  it('imports PEM, JWK and KeyObject, inferring alg and kid', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const fromObject = await importSigningKey(privateKey);
    expect(fromObject.alg).toBe('ES384');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect((await importSigningKey(pem)).kid).toBe(fromObject.kid);
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'from-jwk' };
    expect((await importSigningKey(jwk)).kid).toBe('from-jwk');
    const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    expect((await importSigningKey(sec1, { kid: 'x' })).kid).toBe('x');
  });

  it('refuses public keys, wrong algorithms and short secrets, naming the option', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await expect(importSigningKey(publicKey)).rejects.toThrow(/^key: expected a private key/);
    await expect(importSigningKey(privateKey, { alg: 'ES256' })).rejects.toThrow(/^alg:/);
    await expect(importSigningKey('garbage')).rejects.toThrow(/^key:/);
    await expect(importSigningKey('short', { alg: 'HS256' })).rejects.toThrow(/^key: .*32 bytes/);
  });

  it('loads keys from a file and from a named environment variable', async () => {
    const key = await generateSigningKey({ alg: 'EdDSA' });
    const pem = exportPrivateKeyPem(key);
    const dir = await mkdtemp(join(tmpdir(), 'auth-client-'));
    await writeFile(join(dir, 'key.pem'), pem);
    expect((await loadSigningKeyFromFile(join(dir, 'key.pem'))).kid).toBe(key.kid);
    const env = { SERVICE_KEY: pem.replaceAll('\n', '\\n'), EMPTY: '' };
    expect((await loadSigningKeyFromEnv('SERVICE_KEY', { env })).kid).toBe(key.kid);
    await expect(loadSigningKeyFromEnv('MISSING', { env })).rejects.toThrow(
      /^MISSING: environment variable is not set/,
    );
    await expect(loadSigningKeyFromEnv('EMPTY', { env })).rejects.toThrow(/^EMPTY:/);
  });

  it('never lets key material into the error message', async () => {
    const secretish = '-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----';
    const error = await importSigningKey(secretish).catch((err: Error) => err);
    expect(String(error)).not.toContain('SECRETSECRET');
  });
});

describe('JWKS publishing', () => {
  it('builds a framework-free response with cache headers and only public members', async () => {
    const key = await generateSigningKey();
    const leaky = { keys: [{ ...key.publicJwk, d: 'private' }] };
    expect(toPublicJwks(leaky).keys[0]).not.toHaveProperty('d');
    const response = jwksResponse([key], { maxAge: 60 });
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'public, max-age=60',
    });
    expect(JSON.parse(response.body)).toEqual({ keys: [key.publicJwk] });
    expect(() => jwksResponse([key], { maxAge: -1 })).toThrow(/^maxAge:/);
  });

  it('serves GET and HEAD over node:http and refuses other methods', async () => {
    const key = await generateSigningKey();
    const server = await startServer(createJwksHandler(() => ({ keys: [key.publicJwk!] })));
    try {
      const res = await fetch(`${server.url}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ keys: [key.publicJwk] });
      const head = await fetch(server.url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      const post = await fetch(server.url, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await server.close();
    }
  });
});
