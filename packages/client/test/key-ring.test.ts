import { AuthError, createVerifier } from '@org/auth-core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createAuthFetch,
  createJwksHandler,
  createKeyRing,
  createSelfSignedSource,
  createTokenClient,
  generateSigningKey,
} from '../src/index.js';
import { manualClock, startServer } from './helpers.js';

describe('KeyRing', () => {
  it('publishes next before it signs and keeps previous keys until their tokens expire', async () => {
    const clock = manualClock();
    const ring = await createKeyRing({ now: clock.now, retireGrace: '1m' });
    const first = ring.current;
    const second = ring.next;
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);

    ring.useCurrent(clock.now() + 300_000); // a token of first expires in 5 min
    await ring.rotate();
    expect(ring.current).toBe(second);
    expect(ring.previous).toEqual([first]);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([ring.next.kid, second.kid, first.kid]);

    clock.advance(359_000); // 5 min + 1 min grace - 1 s
    expect(ring.previous).toEqual([first]);
    clock.advance(1_000);
    expect(ring.previous).toEqual([]);
    expect(ring.jwks().keys).toHaveLength(2);
    for (const jwk of ring.jwks().keys) {
      expect(jwk).toMatchObject({ use: 'sig', alg: 'ES256' });
      expect(jwk).not.toHaveProperty('d');
    }
  });

  it('retires an unused key after the grace period only', async () => {
    const clock = manualClock();
    const ring = await createKeyRing({ now: clock.now, retireGrace: 10 });
    await ring.rotate();
    expect(ring.previous).toHaveLength(1);
    clock.advance(10_000);
    expect(ring.previous).toHaveLength(0);
  });

  it('rejects symmetric keys and duplicate kids', async () => {
    const key = await generateSigningKey({ kid: 'same' });
    await expect(createKeyRing({ current: key, next: key })).rejects.toThrow(/^next:/);
  });

  it('rotates under load with no failed request (sender and receiver over loopback HTTP)', async () => {
    const clock = manualClock();
    const ring = await createKeyRing({ alg: 'EdDSA', now: clock.now });
    let jwksFetches = 0;
    const serveJwks = createJwksHandler(ring);
    const keyServer = await startServer((req, res) => {
      jwksFetches += 1;
      serveJwks(req, res);
    });
    const verifier = createVerifier({
      issuers: { issuer: 'billing', jwksUri: `${keyServer.url}/.well-known/jwks.json` },
      audience: 'orders',
      remoteKeys: { cacheMaxAge: '2m', cooldown: '2m' },
      now: clock.now,
    });
    const accepted = new Set<string>();
    const receiver = await startServer(async (req, res) => {
      try {
        await verifier.authenticate(req);
        accepted.add(decodeProtectedHeader(req.headers.authorization!.slice(7)).kid!);
        res.writeHead(204).end();
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        res.writeHead(error.status, error.headers).end(JSON.stringify(error));
      }
    });
    try {
      const tokens = createTokenClient({
        source: createSelfSignedSource({ issuer: 'billing', key: ring, now: clock.now }),
        now: clock.now,
      });
      const authFetch = createAuthFetch({ tokens, audience: { [receiver.url]: 'orders' } });
      const failures: string[] = [];
      const issued: string[] = [];
      let replayed = 0;
      // 40 minutes in 30 s steps, rotating every 5 minutes; every step also replays every
      // still-valid token issued so far, as late requests in flight would.
      for (let step = 0; step < 80; step++) {
        if (step > 0 && step % 10 === 0) await ring.rotate();
        const res = await authFetch(`${receiver.url}/orders`);
        if (res.status !== 204) failures.push(`step ${step}: ${res.status} ${await res.text()}`);
        const token = await tokens.getToken('orders');
        if (!issued.includes(token)) issued.push(token);
        for (const old of issued) {
          // Expired tokens may fail either way (core checks keys before time claims).
          if (decodeJwt(old).exp! * 1000 <= clock.now()) continue;
          const late = await fetch(`${receiver.url}/orders`, { headers: { authorization: `Bearer ${old}` } });
          if (late.status !== 204) failures.push(`late, step ${step}: ${late.status} ${await late.text()}`);
          replayed += 1;
        }
        clock.advance(30_000);
      }
      expect(failures).toEqual([]);
      expect(replayed).toBeGreaterThan(80);
      expect(accepted.size).toBeGreaterThanOrEqual(7); // signed with every generation of keys
      expect(ring.jwks().keys.length).toBeLessThanOrEqual(3);
      expect(jwksFetches).toBeLessThan(40);
    } finally {
      await receiver.close();
      await keyServer.close();
    }
  });

  it('control: a key that signs as soon as it is published fails at receivers that do not refetch, and waits a refetch at the others', async () => {
    const clock = manualClock();
    let published = [await generateSigningKey()];
    const keyServer = await startServer(
      createJwksHandler(() => ({ keys: published.map((k) => k.publicJwk!) })),
    );
    try {
      const receiver = (remoteKeys: Record<string, unknown>) =>
        createVerifier({
          issuers: { issuer: 'billing', jwksUri: `${keyServer.url}/.well-known/jwks.json` },
          audience: 'orders',
          remoteKeys: { cacheMaxAge: '2m', cooldown: '2m', ...remoteKeys },
          now: clock.now,
        });
      // A receiver that never refetches for an unknown kid (its budget is 0), and one with defaults.
      const verifier = receiver({ unknownKidFetchesPerMinute: 0 });
      const refetching = receiver({});
      const sign = (key: (typeof published)[number]) =>
        createSelfSignedSource({ issuer: 'billing', key, now: clock.now }).getToken({ audience: 'orders' });
      await verifier.verify((await sign(published[0]!)).accessToken);
      await refetching.verify((await sign(published[0]!)).accessToken);
      // Naive rotation: publish and sign with a new key at once, while receivers still cache the old set.
      const fresh = await generateSigningKey();
      published = [fresh];
      clock.advance(10_000);
      await expect(verifier.verify((await sign(fresh)).accessToken)).rejects.toMatchObject({
        code: 'unknown_key',
      });
      // Defaults: one refetch for the unknown kid (at most once a second, 10 a minute) finds it.
      await expect(refetching.verify((await sign(fresh)).accessToken)).resolves.toMatchObject({
        caller: 'billing',
      });
    } finally {
      await keyServer.close();
    }
  });
});
