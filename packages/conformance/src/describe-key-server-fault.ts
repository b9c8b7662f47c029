import type { VerifierOptions } from '@org/auth-core';
import { createTestIssuer, type JwksServer, startJwksServer, type TestIssuer } from '@org/auth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, type Target } from './app-spec.js';
import { type Running, send } from './client.js';

/** Longest wait for a recovery; the core's bound is about 2 s, this leaves room for slow CI. */
const RECOVERY_LIMIT_MS = 5000;

/**
 * A key-server fault seen end to end through one target, with the default retry settings: while
 * the JWKS endpoint fails and no key was ever fetched the answer is 503 `keys_unavailable` (never
 * 401) with a `Retry-After` of a second or two; once it is back, the same running app answers 200
 * within seconds, with no restart; a later failure is ridden out on cached keys, while a token
 * signed with a key published during that failure gets 503 (the app cannot know the key), and is
 * accepted once the endpoint answers again.
 */
export function describeKeyServerFault(target: Target): void {
  describe('key-server fault', () => {
    let issuer: TestIssuer;
    let jwks: JwksServer;
    let app: Running;
    beforeAll(async () => {
      issuer = await createTestIssuer({ issuer: 'https://faulty.internal', audience: 'payments' });
      jwks = await startJwksServer(issuer);
      const options: VerifierOptions = {
        issuers: [{ issuer: issuer.issuer, jwksUri: jwks.jwksUri, timeout: 1 }],
        audience: 'payments',
      };
      jwks.fail(500);
      app = await target.start(appSpec(options));
    });
    afterAll(async () => {
      await app?.close();
      await jwks?.close();
    });

    const call = async () => {
      const reply = await send(app.url, {
        path: '/api/whoami',
        headers: { authorization: `Bearer ${await issuer.sign()}` },
      });
      return {
        status: reply.status,
        code: (reply.json as { code?: string } | undefined)?.code,
        retryAfter: reply.headers['retry-after'],
      };
    };

    /** Calls every 100 ms until a 200, for at most RECOVERY_LIMIT_MS; returns the calls made. */
    const untilAccepted = async () => {
      const started = Date.now();
      const replies: Awaited<ReturnType<typeof call>>[] = [];
      for (;;) {
        const reply = await call();
        replies.push(reply);
        if (reply.status === 200) return replies;
        if (Date.now() - started > RECOVERY_LIMIT_MS) {
          throw new Error(
            `no 200 within ${RECOVERY_LIMIT_MS} ms of recovery: ${JSON.stringify(replies.at(-1))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    it('503 with a short Retry-After during the fault, 200 within seconds after it; cached keys ride out the next one', async () => {
      expect(await call()).toEqual({ status: 503, code: 'keys_unavailable', retryAfter: '1' });
      jwks.down();
      const down = await call();
      expect(down).toMatchObject({ status: 503, code: 'keys_unavailable' });
      expect(['1', '2']).toContain(down.retryAfter);

      jwks.up();
      const replies = await untilAccepted();
      for (const reply of replies.slice(0, -1)) {
        expect(reply).toMatchObject({ status: 503, code: 'keys_unavailable' });
        expect(['1', '2']).toContain(reply.retryAfter);
      }

      jwks.fail(500);
      expect((await call()).status).toBe(200);
      jwks.up();
    });

    it('a key published while the endpoint fails: 503 (not 401) until the endpoint answers, then 200', async () => {
      jwks.fail(503);
      await issuer.rotate();
      // Past unknownKidInterval (1 s) since the last fetch, so the new kid makes the app ask the
      // key server, which fails (right after a successful answer, the new kid would be a 401).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const during = await call();
      expect(during).toMatchObject({ status: 503, code: 'keys_unavailable' });
      expect(Number(during.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(during.retryAfter)).toBeLessThanOrEqual(30);

      jwks.up();
      // The back-off after one failure is about a second; the next call after it fetches.
      const replies = await untilAccepted();
      for (const reply of replies.slice(0, -1)) expect(reply.status).toBe(503);
    });
  });
}
