import { expectReadinessRoute } from '@org/auth-conformance/helpers';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { readiness } from '../src/index.js';

describe('readiness(verifier)', () => {
  it('answers 503 until the keys are loaded, 200 after, starting the fetch itself', async () => {
    await expectReadinessRoute(async (verifier) => {
      const app = Fastify();
      app.get('/', readiness(verifier));
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => app.close() };
    });
  });

  it('refuses anything but a verifier when the route is declared', () => {
    expect(() => readiness({} as never)).toThrow(/^readiness: expected the verifier/);
  });
});
