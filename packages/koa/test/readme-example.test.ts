import { describe, expect, it } from 'vitest';
import { authOptions, createApp } from '../examples/readme-example.js';
import { serviceAuth } from '../src/index.js';
import { expectReadmeShows, token, verifierOptions, withServer } from './helpers.js';

describe('README example', () => {
  it('is the file tested here, verbatim', () =>
    expectReadmeShows(import.meta.url, 'examples/readme-example.ts'));

  it('has valid production options', () => {
    expect(() => serviceAuth(authOptions)).not.toThrow();
  });

  it('serves authenticated and refused requests over HTTP', async () => {
    await withServer(createApp(verifierOptions()).callback(), async (url) => {
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
    });
  });
});
