/**
 * The path of docs/getting-started.md, run for real: `service-auth keygen` (the CLI's built bin)
 * into a temporary folder, orders (`src/receiver.ts`) built from the jwks.json it wrote, billing
 * (`src/caller.ts`) calling it with the private key, and the mismatches the guide warns about.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  createAuthFetch,
  createSelfSignedSource,
  createTokenClient,
  loadSigningKeyFromFile,
} from '@org/auth-client';
import { serviceAuth } from '@org/auth-express';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrdersApp } from '../src/receiver.js';

const run = promisify(execFile);
const cliPackage = createRequire(import.meta.url).resolve('@org/auth-cli/package.json');
const serviceAuthBin = join(dirname(cliPackage), 'dist', 'bin.js');
const guide = new URL('../../../docs/getting-started.md', import.meta.url);

/** Runs `service-auth <args>` in `cwd`, as a user would. */
async function cli(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [serviceAuthBin, ...args], { cwd, timeout: 15_000 });
  return stdout;
}

async function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'getting-started-'));
  await cli(dir, 'keygen'); // the guide's first step, with its defaults
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('Getting started', () => {
  it('shows the files this test runs, verbatim, and the keygen command it runs', async () => {
    const text = await readFile(guide, 'utf8');
    for (const file of ['../src/caller.ts', '../src/receiver.ts']) {
      const code = await readFile(new URL(file, import.meta.url), 'utf8');
      expect(text).toContain(`\`\`\`ts\n${code}\`\`\``);
    }
    expect(text).toContain('```sh\nservice-auth keygen\n');
  });

  it('keygen writes a private key only its owner can read, and the public JWKS', async () => {
    expect((await stat(join(dir, 'private-key.pem'))).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8'));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ alg: 'ES256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('billing calls orders: keygen → caller → receiver → 200, caller billing', async () => {
    const orders = await listen(createOrdersApp(join(dir, 'jwks.json')));
    try {
      vi.stubEnv('ORDERS_URL', orders.url);
      vi.stubEnv('BILLING_PRIVATE_KEY_FILE', join(dir, 'private-key.pem'));
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      await import('../src/caller.js');
      expect(log.mock.calls).toEqual([[200, { id: '42', caller: 'billing' }]]);
    } finally {
      await orders.close();
    }
  });

  it('a token from `service-auth mint --issuer billing` is accepted by the same receiver', async () => {
    const orders = await listen(createOrdersApp(join(dir, 'jwks.json')));
    try {
      const token = (
        await cli(dir, 'mint', '--key', 'private-key.pem', '--issuer', 'billing', '--audience', 'orders')
      ).trim();
      const res = await fetch(`${orders.url}/orders/7`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ id: '7', caller: 'billing' });
    } finally {
      await orders.close();
    }
  });
});

describe('Getting started: what goes wrong when the two sides disagree', () => {
  /** billing's client, as in src/caller.ts, calling `url` with `key`. */
  async function callAs(url: string, keyOptions: { kid?: string } = {}, keyFile = 'private-key.pem') {
    const key = await loadSigningKeyFromFile(join(dir, keyFile), keyOptions);
    const tokens = createTokenClient({ source: createSelfSignedSource({ issuer: 'billing', key }) });
    return createAuthFetch({ tokens, audience: { [url]: 'orders' } })(`${url}/orders/1`);
  }

  it('a receiver trusting a URL issuer refuses billing’s self-signed tokens: 401 invalid_issuer', async () => {
    const jwks = JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8'));
    const app = express();
    app.use(serviceAuth({ issuers: [{ issuer: 'https://billing.internal', jwks }], audience: 'orders' }));
    app.get('/orders/:id', (_req, res) => res.json({}));
    const orders = await listen(app);
    try {
      const res = await callAs(orders.url);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: 'invalid_token',
        error_description: 'untrusted issuer',
        code: 'invalid_issuer',
      });
    } finally {
      await orders.close();
    }
  });

  it('with `keygen --kid`, the caller must load the key with that kid: else 401 unknown_key', async () => {
    await cli(dir, 'keygen', '--kid', 'billing-1', '--private-key', 'named.pem', '--jwks', 'named.json');
    const orders = await listen(createOrdersApp(join(dir, 'named.json')));
    try {
      const unnamed = await callAs(orders.url, {}, 'named.pem');
      expect(unnamed.status).toBe(401);
      expect(await unnamed.json()).toMatchObject({ code: 'unknown_key' });
      const named = await callAs(orders.url, { kid: 'billing-1' }, 'named.pem');
      expect(named.status).toBe(200);
    } finally {
      await orders.close();
    }
  });
});
