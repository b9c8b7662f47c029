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
    app = await target.start(appSpec(kit.options, kit.signed));
  });
  afterAll(() => app.close());

  it.each(scenarios)('$name', async (scenario) => {
    await scenario.prepare?.(kit, (call) => send(app.url, call));
    const method = scenario.method ?? 'GET';
    const headers = (await scenario.headers?.(kit)) ?? {};
    const { body } = scenario;
    const url = new URL(scenario.path, app.url).href;
    const authorization = await scenario.authorization?.(kit, { url, method, body, headers });
    const call = {
      method,
      path: scenario.path,
      headers: { ...headers, ...(authorization === undefined ? {} : { authorization }) },
      ...(body === undefined ? {} : { body }),
    };
    if (scenario.replay) expect((await send(app.url, call)).status).toBe(200);
    const reply = await send(app.url, call);
    const { expect: expected } = scenario;
    expect({ status: reply.status, wwwAuthenticate: reply.headers['www-authenticate'] ?? null }).toEqual({
      status: expected.status,
      wwwAuthenticate: expected.wwwAuthenticate,
    });
    if (expected.retryAfter !== undefined) expect(reply.headers['retry-after']).toBe(expected.retryAfter);
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
