import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { authOptions, createApp } from '../examples/readme-example.js';
import { serviceAuth } from '../src/index.js';
import { expectReadmeShows, token, verifierOptions } from './helpers.js';

describe('README example', () => {
  it('is the file tested here, verbatim', () =>
    expectReadmeShows(import.meta.url, 'examples/readme-example.ts'));

  it('has valid production options', async () => {
    const app = Fastify();
    await expect(app.register(serviceAuth, authOptions)).resolves.toBeDefined();
    await app.close();
  });

  it('serves authenticated and refused requests over HTTP', async () => {
    const app = await createApp(verifierOptions());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const read = await fetch(`${url}/payments`, {
        headers: { authorization: `Bearer ${token({ permissions: ['payments:read'], tenant: 'acme' })}` },
      });
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({ caller: 'orders', tenant: 'acme' });

      const created = await fetch(`${url}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token({ scope: 'payments:create' })}` },
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ createdBy: 'orders' });

      const refused = await fetch(`${url}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}` },
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer realm="payments", error="insufficient_scope", error_description="insufficient permission"',
      );
      expect(await refused.json()).toEqual({
        error: 'insufficient_scope',
        error_description: 'insufficient permission',
        code: 'insufficient_permission',
      });
    } finally {
      await app.close();
    }
  });
});
