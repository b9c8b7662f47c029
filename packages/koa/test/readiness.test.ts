import { createServer } from 'node:http';
import { expectReadinessRoute, listen } from '@org/auth-conformance/helpers';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { readiness } from '../src/index.js';

describe('readiness(verifier)', () => {
  it('answers 503 until the keys are loaded, 200 after, starting the fetch itself', async () => {
    await expectReadinessRoute((verifier) => {
      const app = new Koa();
      app.use(readiness(verifier));
      return listen(createServer(app.callback()));
    });
  });

  it('refuses anything but a verifier when the route is declared', () => {
    expect(() => readiness({} as never)).toThrow(/^readiness: expected the verifier/);
  });
});
