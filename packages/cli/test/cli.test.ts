import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestIssuer, startJwksServer } from '@org/auth-testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { cwd?: string; input?: string } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-auth-'));
});

describe('service-auth', () => {
  it('prints usage with exit 2 without a command and for unknown ones', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: service-auth');
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('generates a key pair, mints a token and accepts it', async () => {
    const cwd = await mkdtemp(join(dir, 'flow-'));
    const keygen = await run(['keygen', '--alg', 'EdDSA', '--kid', 'billing-1'], { cwd });
    expect(keygen).toMatchObject({ code: 0 });
    expect(keygen.stdout).toContain('Generated EdDSA key billing-1');
    expect((await stat(join(cwd, 'private-key.pem'))).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(await readFile(join(cwd, 'jwks.json'), 'utf8'));
    expect(jwks.keys[0]).toMatchObject({ kid: 'billing-1', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect((await run(['keygen'], { cwd })).code).toBe(2); // refuses to overwrite

    const minted = await run(
      [
        'mint',
        '--key',
        'private-key.pem',
        '--kid',
        'billing-1',
        '--issuer',
        'billing',
        '--audience',
        'orders',
        '--lifetime',
        '2m',
        '--permissions',
        'orders:read,orders:write',
        '--claim',
        'tenant=acme',
        '--claim',
        'level=3',
      ],
      { cwd },
    );
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: 'billing-1' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: 'billing',
      sub: 'billing',
      aud: 'orders',
      source: 'microservice',
      tenant: 'acme',
      level: 3,
      permissions: ['orders:read', 'orders:write'],
    });
    expect(claims.exp! - claims.iat!).toBe(120);

    const ok = await run(
      ['inspect', token, '--jwks', 'jwks.json', '--issuer', 'billing', '--audience', 'orders'],
      { cwd },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^✔ accepted: service token from billing/);

    const json = await run(
      ['inspect', '-', '--jwks', 'jwks.json', '--issuer', 'billing', '--audience', 'orders', '--json'],
      { cwd, input: `${token}\n` },
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ accepted: true, kind: 'service', caller: 'billing' });

    const wrong = await run(
      ['inspect', token, '--jwks', 'jwks.json', '--issuer', 'billing', '--audience', 'payments', '--json'],
      { cwd },
    );
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({
      accepted: false,
      code: 'invalid_audience',
      reason: 'aud is "orders", expected "payments"',
    });

    const caller = await run(
      [
        'inspect',
        token,
        '--jwks',
        'jwks.json',
        '--issuer',
        'billing',
        '--audience',
        'orders',
        '--caller',
        'shipping',
      ],
      { cwd },
    );
    expect(caller.code).toBe(1);
    expect(caller.stdout).toContain('✘ rejected: caller_not_allowed');
  });

  it('refuses long lifetimes unless asked, as a usage error', async () => {
    const cwd = await mkdtemp(join(dir, 'long-'));
    await run(['keygen'], { cwd });
    const jwks = JSON.parse(await readFile(join(cwd, 'jwks.json'), 'utf8'));
    const token = (
      await run(['mint', '--key', 'private-key.pem', '--issuer', 'billing', '--audience', 'orders'], { cwd })
    ).stdout.trim();
    expect(decodeProtectedHeader(token).kid).toBe(jwks.keys[0].kid); // default kids agree
    const base = [
      'mint',
      '--key',
      'private-key.pem',
      '--issuer',
      'billing',
      '--audience',
      'orders',
      '--lifetime',
      '2h',
    ];
    const refused = await run(base, { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('lifetime:');
    expect((await run([...base, '--allow-long-lifetime'], { cwd })).code).toBe(0);
    expect((await run(['mint', '--issuer', 'x', '--audience', 'y'], { cwd })).stderr).toContain(
      '--key is required',
    );
    expect((await run(['mint', '--bogus'], { cwd })).code).toBe(2);
  });

  it.each([
    ['expired', 'token_expired', /exp is .* ago/],
    ['notYetValid', 'token_not_active', /nbf is .* \(in /],
    ['unknownKey', 'unknown_key', /kid ".*" is not in the JWKS \(kids: /],
    [
      'otherIssuer',
      'invalid_issuer',
      /iss is "https:\/\/other-issuer.test", expected "https:\/\/issuer.test"/,
    ],
    ['missingMarker', 'invalid_token_type', /no service marker/],
    ['badSignature', 'invalid_signature', /^$/],
    ['algNone', 'unsupported_algorithm', /alg "none"/],
    ['lifetimeTooLong', 'lifetime_too_long', /lifetime is 2592000s/],
  ] as const)('explains a %s token: %s', async (kind, code, reason) => {
    const issuer = await createTestIssuer({ audience: 'orders' });
    const jwksFile = join(dir, `${kind}.json`);
    await writeFile(jwksFile, JSON.stringify(issuer.jwks()));
    const token = await issuer.broken(kind);
    const args = ['inspect', token, '--jwks', jwksFile, '--issuer', issuer.issuer, '--audience', 'orders'];
    const human = await run(args);
    expect(human.code).toBe(1);
    expect(human.stdout.split('\n')[0]).toContain(`✘ rejected: ${code}`);
    const json = await run([...args, '--json']);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ accepted: false, code });
    expect(result.reason).toMatch(reason);
  });

  it('checks against a JWKS URL on loopback, and reports a key server outage as keys_unavailable', async () => {
    const issuer = await createTestIssuer({ audience: 'orders' });
    const server = await startJwksServer(issuer);
    try {
      const token = await issuer.sign();
      const args = [
        'inspect',
        token,
        '--jwks',
        server.jwksUri,
        '--issuer',
        issuer.issuer,
        '--audience',
        'orders',
        '--json',
      ];
      expect(JSON.parse((await run(args)).stdout)).toMatchObject({ accepted: true });
      server.fail(500);
      const down = await run(args);
      expect(down.code).toBe(1);
      expect(JSON.parse(down.stdout)).toMatchObject({ accepted: false, code: 'keys_unavailable' });
    } finally {
      await server.close();
    }
  });

  it('decodes without verifying when no JWKS is given, and rejects garbage', async () => {
    const issuer = await createTestIssuer();
    const decoded = await run(['inspect', await issuer.sign(), '--json']);
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout).claims).toMatchObject({ iss: 'https://issuer.test' });
    const garbage = await run(['inspect', 'garbage']);
    expect(garbage.code).toBe(1);
    expect(garbage.stdout).toContain('malformed_token');
    expect((await run(['inspect'])).code).toBe(2);
    expect((await run(['inspect', await issuer.sign(), '--audience', 'x'])).code).toBe(2);
    expect(
      (
        await run([
          'inspect',
          await issuer.sign(),
          '--jwks',
          '/nonexistent.json',
          '--issuer',
          'a',
          '--audience',
          'b',
        ])
      ).code,
    ).toBe(2);
  });
});

describe('README', () => {
  it('quick start runs', async () => {
    const cwd = await mkdtemp(join(dir, 'readme-'));
    const script = fileURLToPath(new URL('../examples/quickstart.sh', import.meta.url));
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(
        'bash',
        [script],
        { cwd, env: { ...process.env, SERVICE_AUTH: `${process.execPath} ${BIN}` } },
        (error, out) => (error ? reject(error) : resolve({ stdout: out })),
      );
    });
    expect(stdout).toContain('Generated ES256 key');
    expect(stdout).toContain('✔ accepted: service token from billing');
    expect(stdout).toContain('"code":"invalid_audience"');
    expect(stdout).toContain('exit 1');
  });
});
