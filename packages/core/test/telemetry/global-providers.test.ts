import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { metrics, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthConfigError } from '../../src/index.js';
import { setApiResolver } from '../../src/telemetry/load-api.js';
import { createTelemetryHarness } from '../support/telemetry.js';
import { bearer, createFixture } from '../support/verifier-fixture.js';

const run = promisify(execFile);
const realApi = () =>
  createRequire(import.meta.url)('@opentelemetry/api') as typeof import('@opentelemetry/api');

afterEach(() => {
  setApiResolver(undefined);
  metrics.disable();
  trace.disable();
});

describe('the global providers (the default)', () => {
  it('records to the SDK the application registered before building the verifier', async () => {
    const harness = createTelemetryHarness();
    metrics.setGlobalMeterProvider(harness.meterProvider);
    trace.setGlobalTracerProvider(harness.tracerProvider);
    const { verifier, sign } = await createFixture();
    await verifier.authenticate(bearer(await sign()));
    expect(
      await harness.count('auth.authentication.attempts', { 'auth.authentication.outcome': 'accepted' }),
    ).toBe(1);
    expect(harness.spans()).toHaveLength(1);
    await harness.shutdown();
  });

  it('without an SDK, does nothing per request: the API is not even called', async () => {
    const api = realApi();
    let calls = 0;
    const counting = new Proxy(api, {
      get(target, name, receiver) {
        calls++;
        return Reflect.get(target, name, receiver);
      },
    });
    setApiResolver(() => counting);
    const { verifier, sign } = await createFixture();
    const afterConstruction = calls;
    expect(afterConstruction).toBeGreaterThan(0); // it looked for providers, once
    const token = await sign();
    await verifier.authenticate(bearer(token));
    expect(verifier.authenticateCached(bearer(token))).toBeDefined();
    await verifier.authenticate({ headers: {} }, { optional: true });
    expect(calls).toBe(afterConstruction);
  });
});

describe('without @opentelemetry/api', () => {
  const missing = () => {
    throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
  };

  it('works as before when telemetry is left at its default', async () => {
    setApiResolver(missing);
    const { verifier, sign, events } = await createFixture();
    const token = await sign();
    await expect(verifier.authenticate(bearer(token))).resolves.toMatchObject({ caller: 'orders' });
    expect(verifier.authenticateCached(bearer(token))).toBeDefined();
    expect(events.map((event) => event.type)).toEqual(['accepted', 'accepted']);
    verifier.close();
  });

  it('fails at construction when telemetry was asked for, saying what to install', async () => {
    setApiResolver(missing);
    const fixture = await createFixture({ telemetry: false });
    expect(() => fixture.with({ telemetry: true })).toThrow(AuthConfigError);
    expect(() => fixture.with({ telemetry: true })).toThrow(
      /^telemetry: needs @opentelemetry\/api, which is not installed: install @opentelemetry\/api/,
    );
    const harness = createTelemetryHarness();
    expect(() => fixture.with({ telemetry: { meterProvider: harness.meterProvider } })).toThrow(
      /needs @opentelemetry\/api/,
    );
    await harness.shutdown();
  });

  it('treats a module that is not the OpenTelemetry API as missing', async () => {
    setApiResolver(() => ({ metrics: {} }));
    const fixture = await createFixture();
    expect(() => fixture.with({ telemetry: true })).toThrow(/needs @opentelemetry\/api/);
  });
});

// The built package where `@opentelemetry/api` is not installed at all: a folder of its own, with
// nothing but the package, loaded with import and with require (require of ESM).
describe('the built package without @opentelemetry/api installed', () => {
  it('builds verifiers and authenticates; telemetry: true says what to install', async () => {
    const root = mkdtempSync(join(tmpdir(), 'auth-core-no-otel-'));
    try {
      const target = join(root, 'node_modules', '@org', 'auth-core');
      mkdirSync(target, { recursive: true });
      const source = fileURLToPath(new URL('../..', import.meta.url));
      cpSync(join(source, 'dist'), join(target, 'dist'), { recursive: true });
      cpSync(join(source, 'package.json'), join(target, 'package.json'));
      const script = `
        const options = { issuers: [{ issuer: 'https://a', secret: 'x'.repeat(32), algorithms: ['HS256'] }], audience: 'b' };
        const verifier = m.createVerifier(options);
        const none = await verifier.authenticate({ headers: {} }, { optional: true });
        let refused = '';
        try { m.createVerifier({ ...options, telemetry: true }); } catch (error) { refused = error.message; }
        console.log(JSON.stringify({ none: none === undefined, refused }));`;
      // pnpm's scripts set NODE_PATH to its hoisted packages; an application has no such thing.
      const { NODE_PATH: _hoisted, ...withoutNodePath } = process.env;
      for (const load of [
        "const m = await import('@org/auth-core');",
        "const m = require('@org/auth-core');",
      ]) {
        const { stdout } = await run(
          process.execPath,
          ['--no-warnings', '--input-type=commonjs', '-e', `(async () => { ${load} ${script} })()`],
          { cwd: root, env: withoutNodePath },
        );
        expect(JSON.parse(stdout)).toEqual({
          none: true,
          refused: expect.stringMatching(/^telemetry: needs @opentelemetry\/api, which is not installed/),
        });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
