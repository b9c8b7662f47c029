/**
 * A key-server fault seen end to end through every adapter: while the JWKS endpoint fails and no
 * key was ever fetched the answer is 503 `keys_unavailable` (never 401); once it is back, the same
 * running app answers 200, with no restart; and a later failure is ridden out on cached keys.
 */
import type { VerifierOptions } from '@org/auth-core';
import { createTestIssuer, startJwksServer, type TestIssuer } from '@org/auth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec } from '../src/app-spec.js';
import { type Running, send } from '../src/client.js';
import { targets } from '../src/targets/index.js';

let issuer: TestIssuer;
let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let options: VerifierOptions;
beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://faulty.internal', audience: 'payments' });
  jwks = await startJwksServer(issuer);
  options = {
    // cooldown 0: every request may retry the endpoint, so recovery shows at the next request.
    issuers: [{ issuer: issuer.issuer, jwksUri: jwks.jwksUri, cooldown: 0, timeout: 1 }],
    audience: 'payments',
  };
});
afterAll(() => jwks.close());

describe.each(targets)('$name', (target) => {
  let app: Running;
  beforeAll(async () => {
    jwks.fail(500);
    app = await target.start(appSpec(options));
  });
  afterAll(() => app.close());

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
