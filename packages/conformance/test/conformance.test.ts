import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, createKit, type Kit } from '../src/app-spec.js';
import { type Running, send } from '../src/client.js';
import { scenarios } from '../src/scenarios.js';
import { targets } from '../src/targets/index.js';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
});
afterAll(() => kit.close());

it('has at least 40 scenarios with unique names', () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(40);
  expect(new Set(scenarios.map((scenario) => scenario.name)).size).toBe(scenarios.length);
});

describe.each(targets)('$name', (target) => {
  let app: Running;
  beforeAll(async () => {
    app = await target.start(appSpec(kit.options, kit));
  });
  afterAll(() => app.close());

  it.each(scenarios)('$name', async (scenario) => {
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
  });
});
