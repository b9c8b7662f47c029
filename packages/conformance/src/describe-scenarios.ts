import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, createKit, type Kit, type Target } from './app-spec.js';
import { type Running, send } from './client.js';
import { concerns, type Scenario } from './scenarios/index.js';

/**
 * Every scenario of every concern against one target: the app of `appSpec` with the suite's kit
 * (keys, JWKS server, HMAC secrets, client certificates), over HTTPS, with `node:http` as the
 * client (it can send a header twice; `fetch` merges them).
 */
export function describeScenarios(target: Target): void {
  describe('scenarios', () => {
    let kit: Kit;
    let app: Running;
    beforeAll(async () => {
      kit = await createKit();
      app = await target.start(appSpec(kit.options, kit));
    });
    afterAll(async () => {
      await app?.close();
      await kit?.close();
    });

    describe.each(concerns)('$title', ({ scenarios }) => {
      it.each(scenarios)('$name', (scenario) => expectScenario(kit, app, scenario));
    });
  });
}

/** Sends the scenario's request to `app` and compares the answer with its expectation. */
async function expectScenario(kit: Kit, app: Running, scenario: Scenario): Promise<void> {
  const tls = kit.tls.client(scenario.clientCertificate);
  await scenario.prepare?.(kit, (call) => send(app.url, call, tls));
  const method = scenario.method ?? 'GET';
  const headers = (await scenario.headers?.(kit)) ?? {};
  const { body } = scenario;
  const request = { url: new URL(scenario.path, app.url).href, method, body, headers };
  const authorization = await scenario.authorization?.(kit, request);
  const credentials = await scenario.credentials?.(kit, request);
  const call = {
    method,
    path: scenario.path,
    headers: { ...headers, ...(authorization === undefined ? {} : { authorization }), ...credentials },
    ...(body === undefined ? {} : { body }),
  };
  if (scenario.replay) expect((await send(app.url, call, tls)).status).toBe(200);
  const reply = await send(app.url, call, tls);
  const { expect: expected } = scenario;
  expect({ status: reply.status, wwwAuthenticate: reply.headers['www-authenticate'] ?? null }).toEqual({
    status: expected.status,
    wwwAuthenticate: expected.wwwAuthenticate,
  });
  if (expected.retryAfter !== undefined) expect(reply.headers['retry-after']).toBe(expected.retryAfter);
  for (const name of expected.headersSent ?? []) expect(reply.headers[name]).toMatch(/^\S+$/);
  if (expected.body !== undefined) expect(reply.json).toEqual(expected.body);
  if (expected.auth !== undefined) {
    expect(reply.json).toEqual({
      auth: expected.auth === null ? null : expect.objectContaining(expected.auth),
      ...(expected.resource === undefined ? {} : { resource: expected.resource }),
      ...(expected.parsedBody === undefined ? {} : { body: expected.parsedBody }),
    });
  }
  if (expected.status !== 500) expect(reply.headers['content-type']).toMatch(/^application\/json/);
  // Nothing leaked: no rejection echoes the credentials it refused.
  if (reply.status !== 200 && typeof authorization === 'string' && authorization.length > 20) {
    expect(reply.text).not.toContain(authorization.slice(7));
  }
}
