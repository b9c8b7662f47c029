import type { VerifierOptions } from '@org/auth-core';
import { createTestIssuer, type JwksServer, startJwksServer, type TestIssuer } from '@org/auth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, type Target } from './app-spec.js';
import { type Running, send } from './client.js';

/**
 * A key-server fault seen end to end through one target: while the JWKS endpoint fails and no
 * key was ever fetched the answer is 503 `keys_unavailable` (never 401); once it is back, the same
 * running app answers 200, with no restart; and a later failure is ridden out on cached keys.
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
        // cooldown 0: every request may retry the endpoint, so recovery shows at the next request.
        issuers: [{ issuer: issuer.issuer, jwksUri: jwks.jwksUri, cooldown: 0, timeout: 1 }],
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
      return { status: reply.status, code: (reply.json as { code?: string } | undefined)?.code };
    };

    it('503 during the fault, 200 after it, without a restart; cached keys ride out the next one', async () => {
      expect(await call()).toEqual({ status: 503, code: 'keys_unavailable' });
      jwks.down();
      expect(await call()).toEqual({ status: 503, code: 'keys_unavailable' });
      jwks.up();
      expect((await call()).status).toBe(200);
      jwks.fail(500);
      expect((await call()).status).toBe(200);
      jwks.up();
    });
  });
}
