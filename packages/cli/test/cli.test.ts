import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestCertificateAuthority, createTestIssuer, startJwksServer } from '@org/auth-testing';
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
    ['unknownKey', 'unknown_key', /^kid ".*" is not in the JWKS of https:\/\/issuer.test \(kids: /],
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

describe('help', () => {
  it.each([
    ['keygen', ['--alg', '--kid', '--private-key', '--jwks', '--force', '--json']],
    [
      'mint',
      [
        '--key',
        '--issuer',
        '--audience',
        '--kid',
        '--subject',
        '--lifetime',
        '--allow-long-lifetime',
        '--permissions',
        '--scope',
        '--claim',
        '--json',
      ],
    ],
    ['inspect', ['--jwks', '--issuer', '--audience', '--caller', '--allow-insecure-http', '--json']],
  ])('prints the help of %s for --help, -h and help <command>, with exit 0', async (command, flags) => {
    const forms = [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
      [command, '--bogus', '--help'],
    ];
    for (const args of forms) {
      const help = await run(args);
      expect(help, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^Usage: service-auth ${command} `));
      // One row per flag, at the start of a line of the Options list.
      for (const flag of flags) expect(help.stdout).toMatch(new RegExp(`^  ${flag}[ \\n]`, 'm'));
      expect(help.stdout).toMatch(/^ {2}-h, --help /m);
      expect(help.stdout).toMatch(new RegExp(`Examples?:\\n  service-auth ${command} `));
    }
  });

  it('lists the commands and points to their help', async () => {
    const help = await run(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Run 'service-auth <command> --help'");
    for (const command of ['keygen', 'mint', 'inspect'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const unknown = await run(['help', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('usage errors', () => {
  it('suggests the closest flag of the command for a typo, in one line and a hint', async () => {
    const typo = await run(['mint', '--key', 'k.pem', '--issuer', 'billing', '--audiance', 'orders']);
    expect(typo).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "service-auth: unknown option --audiance for mint (did you mean --audience?)\nRun 'service-auth mint --help' for usage.\n",
    });
    expect((await run(['inspect', 'token', '--jwsk', 'jwks.json'])).stderr).toContain(
      'unknown option --jwsk for inspect (did you mean --jwks?)',
    );
    expect((await run(['keygen', '--froce'])).stderr).toContain('(did you mean --force?)');
    expect((await run(['inspect', 'token', '-audience', 'orders'])).stderr).toContain(
      'unknown option -audience for inspect (did you mean --audience?)',
    );
    const far = await run(['mint', '--frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).toBe(
      "service-auth: unknown option --frobnicate for mint\nRun 'service-auth mint --help' for usage.\n",
    );
    const json = await run(['mint', '--audiance', 'orders', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: 'usage',
      message: 'unknown option --audiance for mint (did you mean --audience?)',
    });
  });

  it('follows every error with a hint instead of the whole usage', async () => {
    const missing = await run(['mint', '--issuer', 'billing', '--audience', 'orders']);
    expect(missing.stderr).toBe(
      "service-auth: --key is required\nRun 'service-auth mint --help' for usage.\n",
    );
    expect((await run(['mint', '--key'])).stderr).toBe(
      "service-auth: --key needs a value\nRun 'service-auth mint --help' for usage.\n",
    );
    const command = await run(['mnit']);
    expect(command).toMatchObject({ code: 2, stdout: '' });
    expect(command.stderr).toBe(
      'service-auth: unknown command "mnit" (did you mean mint?)\nRun \'service-auth --help\' for usage.\n',
    );
  });

  it('names the flags, not the library options, in messages', async () => {
    const cwd = await mkdtemp(join(dir, 'flags-'));
    await run(['keygen'], { cwd });
    const long = await run(
      ['mint', '--key', 'private-key.pem', '--issuer', 'billing', '--audience', 'orders', '--lifetime', '2h'],
      { cwd },
    );
    expect(long.code).toBe(2);
    expect(long.stderr.split('\n')[0]).toBe(
      'service-auth: --lifetime: 7200s is over one hour; pass --allow-long-lifetime if you mean it',
    );
    const reserved = await run(
      ['mint', '--key', 'private-key.pem', '--issuer', 'billing', '--audience', 'orders', '--claim', 'iss=x'],
      { cwd },
    );
    expect(reserved.stderr).toContain('service-auth: --claim iss: ');

    const issuer = await createTestIssuer({ audience: 'orders' });
    const http = await run([
      'inspect',
      await issuer.sign(),
      '--jwks',
      'http://keys.example/jwks.json',
      '--issuer',
      issuer.issuer,
      '--audience',
      'orders',
    ]);
    expect(http.code).toBe(2);
    expect(http.stderr.split('\n')[0]).toBe(
      'service-auth: --jwks http://keys.example/jwks.json: keys must be fetched over https (http is allowed only on loopback, or with --allow-insecure-http)',
    );
    expect(`${long.stderr}${http.stderr}`).not.toMatch(/allowLongLifetime|allowInsecureHttp|issuers\[/);
  });
});

describe('inspect', () => {
  it('gives the reason a JWKS URL failed: its HTTP status, or the connection error', async () => {
    const issuer = await createTestIssuer({ audience: 'orders' });
    const token = await issuer.sign();
    const args = (jwks: string) => [
      'inspect',
      token,
      '--jwks',
      jwks,
      '--issuer',
      issuer.issuer,
      '--audience',
      'orders',
    ];
    const server = await startJwksServer(issuer);
    try {
      server.fail(404);
      const json = await run([...args(server.jwksUri), '--json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        accepted: false,
        code: 'keys_unavailable',
        reason: `JWKS ${server.jwksUri} answered HTTP 404`,
      });
      const text = await run(args(server.jwksUri));
      expect(text.stdout.split('\n')[0]).toBe(
        `✘ rejected: keys_unavailable: verification keys unavailable: JWKS ${server.jwksUri} answered HTTP 404`,
      );
    } finally {
      await server.close();
    }
    // The server is closed: nothing listens on its port any more.
    const refused = await run([...args(server.jwksUri), '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      code: 'keys_unavailable',
      reason: `JWKS ${server.jwksUri}: connection refused (ECONNREFUSED)`,
    });
    expect((await run(args(server.jwksUri))).stdout).toContain(
      `verification keys unavailable: JWKS ${server.jwksUri}: connection refused (ECONNREFUSED)`,
    );
  });

  it('accepts a PEM public key or certificate as --jwks, and says what it expected otherwise', async () => {
    const cwd = await mkdtemp(join(dir, 'pem-'));
    await run(['keygen'], { cwd });
    const jwks = JSON.parse(await readFile(join(cwd, 'jwks.json'), 'utf8'));
    const spki = createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    await writeFile(join(cwd, 'public.pem'), spki);
    const token = (
      await run(['mint', '--key', 'private-key.pem', '--issuer', 'billing', '--audience', 'orders'], { cwd })
    ).stdout.trim();
    const verify = (keys: string, ...more: string[]) =>
      run(['inspect', token, '--jwks', keys, '--issuer', 'billing', '--audience', 'orders', ...more], {
        cwd,
      });
    const accepted = await verify('public.pem');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/^✔ accepted: service token from billing/);

    const ca = createTestCertificateAuthority();
    const leaf = ca.issue({ commonName: 'billing' });
    await writeFile(join(cwd, 'leaf-key.pem'), leaf.key);
    await writeFile(join(cwd, 'leaf.pem'), leaf.cert);
    const certToken = (
      await run(['mint', '--key', 'leaf-key.pem', '--issuer', 'billing', '--audience', 'orders'], { cwd })
    ).stdout.trim();
    const byCertificate = await run(
      ['inspect', certToken, '--jwks', 'leaf.pem', '--issuer', 'billing', '--audience', 'orders', '--json'],
      { cwd },
    );
    expect(byCertificate.code).toBe(0);
    expect(JSON.parse(byCertificate.stdout)).toMatchObject({ accepted: true, caller: 'billing' });
    // The certificate's key did not sign the keygen token.
    expect(JSON.parse((await verify('leaf.pem', '--json')).stdout)).toMatchObject({
      accepted: false,
      code: 'invalid_signature',
    });

    const privateKey = await verify('private-key.pem');
    expect(privateKey.code).toBe(2);
    expect(privateKey.stderr.split('\n')[0]).toBe(
      'service-auth: --jwks private-key.pem holds a private key; give the public key instead (the jwks.json that keygen wrote, or: openssl pkey -in private-key.pem -pubout)',
    );
    await writeFile(join(cwd, 'notes.txt'), '-not json, not PEM\n');
    const neither = await verify('notes.txt');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--jwks notes.txt is neither JSON nor PEM: expected a JWKS');
    expect(neither.stderr).toContain('PEM public key (-----BEGIN PUBLIC KEY-----) or certificate');
    expect(neither.stderr).not.toContain('position');
  });

  it('shows the time claims as ISO times with their age, and warns about an expired token', async () => {
    const issuer = await createTestIssuer();
    const expired = await issuer.broken('expired');
    const { iat, nbf, exp } = decodeJwt(expired) as { iat: number; nbf: number; exp: number };
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    const text = await run(['inspect', expired]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`⚠ expired 1 h ago (exp ${iso(exp)}): services reject it (token_expired)`);
    expect(lines).toContain(`  iat ${iso(iat)} (2 h ago)`);
    expect(lines).toContain(`  nbf ${iso(nbf)} (2 h ago)`);
    expect(lines).toContain(`  exp ${iso(exp)} (expired 1 h ago)`);
    expect(text.stdout).toContain(`"exp": ${exp}`); // the raw claims stay

    const json = JSON.parse((await run(['inspect', expired, '--json'])).stdout);
    expect(json).toMatchObject({ ok: true, claims: { iat, nbf, exp } });
    expect(json.times).toEqual({ iat: iso(iat), nbf: iso(nbf), exp: iso(exp) });
    expect(json.warnings).toEqual([{ code: 'token_expired', message: `expired 1 h ago (exp ${iso(exp)})` }]);

    const fixed = await issuer.sign({ iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_300 });
    expect((await run(['inspect', fixed])).stdout).toMatch(
      /^ {2}exp 2023-11-14T22:18:20Z \(expired \d+ days ago\)$/m,
    );

    const early = JSON.parse((await run(['inspect', await issuer.broken('notYetValid'), '--json'])).stdout);
    expect(early.warnings).toEqual([
      {
        code: 'token_not_active',
        message: expect.stringMatching(/^not valid yet: valid from .*Z \(in 1 h\)$/),
      },
    ]);
    const fresh = await run(['inspect', await issuer.sign()]);
    expect(fresh.stdout).not.toContain('⚠');
    expect(fresh.stdout).toMatch(/^ {2}exp \S+Z \(expires in \d+ min\)$/m);
    expect(JSON.parse((await run(['inspect', await issuer.sign(), '--json'])).stdout).warnings).toEqual([]);
  });

  it('reads a token pasted with its Bearer or other scheme', async () => {
    const issuer = await createTestIssuer({ audience: 'orders' });
    const jwksFile = join(dir, 'bearer.json');
    await writeFile(jwksFile, JSON.stringify(issuer.jwks()));
    const token = await issuer.sign();
    const verify = ['--jwks', jwksFile, '--issuer', issuer.issuer, '--audience', 'orders', '--json'];

    const decoded = await run(['inspect', `Bearer ${token}`, '--json']);
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout).claims).toMatchObject({ iss: issuer.issuer });
    expect(JSON.parse((await run(['inspect', `bearer  ${token}`, ...verify])).stdout)).toMatchObject({
      accepted: true,
    });
    const header = await run(['inspect', '-', ...verify], { input: `Authorization: Bearer ${token}\n` });
    expect(JSON.parse(header.stdout)).toMatchObject({ accepted: true });
    expect(header.stderr).toBe('');

    const dpop = await run(['inspect', `DPoP ${token}`, ...verify]);
    expect(JSON.parse(dpop.stdout)).toMatchObject({ accepted: true });
    expect(dpop.stderr).toBe(
      'service-auth: note: read the token after the "DPoP" scheme; its DPoP proof is not checked\n',
    );

    const basic = await run(['inspect', 'Basic dXNlcjpwYXNz', '--json']);
    expect(basic.code).toBe(1);
    expect(JSON.parse(basic.stdout)).toMatchObject({
      code: 'malformed_token',
      reason: 'not a JWT (found a "Basic" credential)',
    });
    expect((await run(['inspect', 'Basic dXNlcjpwYXNz'])).stdout).toBe(
      '✘ rejected: malformed_token: not a JWT (found a "Basic" credential; expected header.payload.signature)\n',
    );
  });
});

describe('README', () => {
  it('documents every flag of every command', async () => {
    const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const commands = readme.slice(readme.indexOf('## Commands'));
    for (const command of ['keygen', 'mint', 'inspect']) {
      const help = (await run([command, '--help'])).stdout;
      const flags = [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map(([, flag]) => flag);
      expect(flags.length).toBeGreaterThan(3);
      for (const flag of flags) {
        if (flag !== '--help' && flag !== '--json') expect(commands, `${command} ${flag}`).toContain(flag);
      }
      expect(commands).toContain(`\`${command} `);
    }
    expect(commands).toContain('service-auth <command> --help');
    expect(commands).toContain('--json');
  });

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
