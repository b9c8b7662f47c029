import { constants } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  type AsymmetricAlgorithm,
  createSelfSignedSource,
  exportPrivateKeyPem,
  generateSigningKey,
  loadSigningKeyFromFile,
} from '@org/auth-client';
import { createVerifier, type IssuerOptions, isAuthError } from '@org/auth-core';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';

/** Where the CLI writes and reads; the real process streams by default. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads all of stdin (for `inspect -`). */
  readonly readStdin: () => Promise<string>;
}

/** Exit codes: 0 done or accepted, 1 token rejected, 2 usage or input error. */
export const EXIT = Object.freeze({ ok: 0, rejected: 1, usage: 2 } as const);

class UsageError extends Error {}

const USAGE = `Usage: service-auth <command> [options]

Commands:
  keygen    Generate a key pair: a private key (PEM) and its public JWKS
            --alg ES256|ES384|ES512|EdDSA|RS256|PS256 (default ES256)  --kid <id>
            --private-key <file> (default private-key.pem)  --jwks <file> (default jwks.json)  --force
  mint      Mint a service token
            --key <file> --issuer <service> --audience <service>  [--kid <id>] [--subject <id>]
            (the kid defaults to the key's RFC 7638 thumbprint, as keygen's default)
            [--lifetime 5m] [--allow-long-lifetime] [--permissions a,b] [--scope "a b"] [--claim name=value]...
  inspect   Decode a token (argument, or - for stdin) and, with --jwks, say whether it is accepted
            [--jwks <file|url>] [--issuer <iss>] [--audience <aud>] [--caller <id>]... [--allow-insecure-http]

Global options: --json (machine-readable output), --help, --version
Exit codes: 0 ok/accepted, 1 rejected, 2 usage error`;

const ALGORITHMS = new Set(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256']);

/**
 * Runs the `service-auth` command line with the given arguments (without `node` and the script).
 *
 * @returns the exit code: 0 ok or accepted, 1 rejected, 2 usage error
 * @example
 * ```ts
 * process.exitCode = await runCli(['inspect', token, '--jwks', 'jwks.json', '--issuer', 'billing', '--audience', 'orders']);
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = args;
  const json = rest.includes('--json');
  try {
    switch (command) {
      case 'keygen':
        return await keygen(rest, io);
      case 'mint':
        return await mint(rest, io);
      case 'inspect':
        return await inspect(rest, io);
      case '--version':
      case 'version': {
        const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
          version: string;
        };
        io.stdout(`${pkg.version}\n`);
        return EXIT.ok;
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        (command === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: 'usage', message })}\n`);
    else
      io.stderr(
        `service-auth: ${message}\n\n${error instanceof UsageError ? USAGE : 'Run service-auth --help for usage.'}\n`,
      );
    return EXIT.usage;
  }
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

function parsing<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function keygen(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parsing(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        alg: { type: 'string' },
        kid: { type: 'string' },
        'private-key': { type: 'string' },
        jwks: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    }),
  );
  const alg = values.alg ?? 'ES256';
  if (!ALGORITHMS.has(alg)) throw new UsageError(`--alg must be one of ${[...ALGORITHMS].join(', ')}`);
  const privatePath = values['private-key'] ?? 'private-key.pem';
  const jwksPath = values.jwks ?? 'jwks.json';
  for (const path of [privatePath, jwksPath]) {
    if (!values.force && (await exists(path)))
      throw new UsageError(`${path} exists; pass --force to overwrite`);
  }
  const key = await generateSigningKey({
    alg: alg as AsymmetricAlgorithm,
    ...(values.kid === undefined ? {} : { kid: values.kid }),
  });
  await writeFile(privatePath, exportPrivateKeyPem(key), { mode: 0o600 });
  await writeFile(jwksPath, `${JSON.stringify({ keys: [key.publicJwk] }, null, 2)}\n`);
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ ok: true, kid: key.kid, alg: key.alg, privateKey: privatePath, jwks: jwksPath })}\n`,
    );
  } else {
    io.stdout(
      `Generated ${key.alg} key ${key.kid}\n  private key: ${privatePath} (keep secret)\n  public JWKS: ${jwksPath}\n`,
    );
  }
  return EXIT.ok;
}

function parseClaim(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--claim expects name=value (got ${JSON.stringify(text)})`);
  const name = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  try {
    return [name, JSON.parse(raw)];
  } catch {
    return [name, raw]; // not JSON: a plain string
  }
}

async function mint(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parsing(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: 'string' },
        kid: { type: 'string' },
        issuer: { type: 'string' },
        subject: { type: 'string' },
        audience: { type: 'string' },
        lifetime: { type: 'string' },
        'allow-long-lifetime': { type: 'boolean' },
        permissions: { type: 'string' },
        scope: { type: 'string' },
        claim: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
    }),
  );
  const keyPath = required(values.key, 'key');
  const issuer = required(values.issuer, 'issuer');
  const audience = required(values.audience, 'audience');
  let key: Awaited<ReturnType<typeof loadSigningKeyFromFile>>;
  try {
    key = await loadSigningKeyFromFile(keyPath, values.kid === undefined ? {} : { kid: values.kid });
  } catch (error) {
    throw new UsageError(
      `cannot load --key ${keyPath}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const lifetime =
    values.lifetime === undefined
      ? undefined
      : /^\d+$/.test(values.lifetime)
        ? Number(values.lifetime)
        : values.lifetime;
  let source: ReturnType<typeof createSelfSignedSource>;
  try {
    source = createSelfSignedSource({
      issuer,
      key,
      ...(values.subject === undefined ? {} : { subject: values.subject }),
      ...(lifetime === undefined ? {} : { lifetime }),
      ...(values['allow-long-lifetime'] ? { allowLongLifetime: true } : {}),
      ...(values.permissions === undefined
        ? {}
        : {
            permissions: values.permissions
              .split(',')
              .map((p) => p.trim())
              .filter(Boolean),
          }),
      ...(values.scope === undefined ? {} : { scope: values.scope }),
      claims: Object.fromEntries((values.claim ?? []).map(parseClaim)),
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { accessToken, expiresAt } = await source.getToken({ audience });
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ ok: true, token: accessToken, expiresAt: new Date(expiresAt).toISOString(), header: decodeProtectedHeader(accessToken), claims: decodeJwt(accessToken) })}\n`,
    );
  } else {
    io.stdout(`${accessToken}\n`);
  }
  return EXIT.ok;
}

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function explain(
  code: string,
  claims: JWTPayload,
  header: Record<string, unknown>,
  expected: { issuer: string; audience: string | undefined },
  jwksKids: readonly string[] | undefined,
): string {
  const when = (seconds: unknown) =>
    typeof seconds === 'number'
      ? `${new Date(seconds * 1000).toISOString()} (${relative(seconds)})`
      : 'missing';
  switch (code) {
    case 'token_expired':
      return `exp is ${when(claims.exp)}`;
    case 'token_not_active':
      return `nbf is ${when(claims.nbf)}`;
    case 'invalid_audience':
      return `aud is ${JSON.stringify(claims.aud)}, expected ${JSON.stringify(expected.audience)}`;
    case 'invalid_issuer':
      return `iss is ${JSON.stringify(claims.iss)}, expected ${JSON.stringify(expected.issuer)}`;
    case 'unknown_key':
      return `kid ${JSON.stringify(header.kid)} is not in the JWKS${jwksKids ? ` (kids: ${jwksKids.join(', ') || 'none'})` : ''}`;
    case 'unsupported_algorithm':
      return `alg ${JSON.stringify(header.alg)} is not accepted`;
    case 'lifetime_too_long':
      return typeof claims.exp === 'number' && typeof claims.iat === 'number'
        ? `lifetime is ${claims.exp - claims.iat}s (iat to exp); the default limit is 24h`
        : 'lifetime is over the limit';
    case 'invalid_token_type':
      return `no service marker (source: ${JSON.stringify(claims.source)}; expected "microservice")`;
    default:
      return '';
  }
}

function relative(seconds: number): string {
  const delta = Math.round(seconds - Date.now() / 1000);
  const abs = Math.abs(delta);
  const text =
    abs >= 3600 ? `${Math.round(abs / 360) / 10}h` : abs >= 60 ? `${Math.round(abs / 6) / 10}m` : `${abs}s`;
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

async function inspect(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parsing(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        jwks: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        caller: { type: 'string', multiple: true },
        'allow-insecure-http': { type: 'boolean' },
        json: { type: 'boolean' },
      },
    }),
  );
  if (positionals.length !== 1) throw new UsageError('inspect takes exactly one token (or - to read stdin)');
  const token = (positionals[0] === '-' ? await io.readStdin() : positionals[0]!).trim();
  let header: Record<string, unknown>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    claims = decodeJwt(token);
  } catch {
    if (values.json)
      io.stdout(
        `${JSON.stringify({ ok: false, accepted: false, code: 'malformed_token', reason: 'not a JWT' })}\n`,
      );
    else io.stdout('✘ rejected: malformed_token: not a JWT (expected header.payload.signature)\n');
    return EXIT.rejected;
  }
  if (values.jwks === undefined) {
    if (values.issuer !== undefined || values.audience !== undefined)
      throw new UsageError('--issuer and --audience need --jwks');
    if (values.json) io.stdout(`${JSON.stringify({ ok: true, header, claims })}\n`);
    else
      io.stdout(
        `${describe(header, claims)}\n(signature not checked: pass --jwks, --issuer and --audience)\n`,
      );
    return EXIT.ok;
  }
  const issuer = required(values.issuer, 'issuer');
  const audience = required(values.audience, 'audience');
  let keySource: IssuerOptions;
  let jwksKids: string[] | undefined;
  if (isUrl(values.jwks)) {
    keySource = {
      issuer,
      jwksUri: values.jwks,
      ...(values['allow-insecure-http'] ? { allowInsecureHttp: true } : {}),
    };
  } else {
    let jwks: { keys: Record<string, unknown>[] };
    try {
      jwks = JSON.parse(await readFile(values.jwks, 'utf8')) as { keys: Record<string, unknown>[] };
    } catch (error) {
      throw new UsageError(
        `cannot read --jwks ${values.jwks}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!Array.isArray(jwks?.keys))
      throw new UsageError(`--jwks ${values.jwks} is not a JWKS (no "keys" array)`);
    jwksKids = jwks.keys.map((key) => String(key.kid ?? '?'));
    keySource = { issuer, jwks };
  }
  let verifier: ReturnType<typeof createVerifier>;
  try {
    verifier = createVerifier({
      issuers: keySource,
      audience,
      ...(values.caller === undefined ? {} : { services: { callers: values.caller } }),
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  try {
    const auth = await verifier.verify(token);
    const result = {
      ok: true,
      accepted: true,
      kind: auth.kind,
      caller: auth.caller,
      permissions: auth.permissions,
      header,
      claims,
    };
    if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
    else
      io.stdout(
        `✔ accepted: ${auth.kind} token from ${auth.caller ?? auth.subject ?? '?'}\n${describe(header, claims)}\n`,
      );
    return EXIT.ok;
  } catch (error) {
    if (!isAuthError(error)) throw error;
    const reason = explain(error.code, claims, header, { issuer, audience }, jwksKids);
    const result = {
      ok: true,
      accepted: false,
      code: error.code,
      description: error.description,
      reason,
      status: error.status,
      header,
      claims,
    };
    if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
    else
      io.stdout(
        `✘ rejected: ${error.code}: ${error.description}${reason ? `: ${reason}` : ''}\n${describe(header, claims)}\n`,
      );
    return EXIT.rejected;
  }
}

function describe(header: Record<string, unknown>, claims: JWTPayload): string {
  return `header: ${JSON.stringify(header)}\nclaims: ${JSON.stringify(claims, null, 2)}`;
}
