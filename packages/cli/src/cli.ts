import { constants } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import {
  type AsymmetricAlgorithm,
  createSelfSignedSource,
  exportPrivateKeyPem,
  generateSigningKey,
  loadSigningKeyFromFile,
} from '@org/auth-client';
import { type AuthError, createVerifier, type IssuerOptions, isAuthError } from '@org/auth-core';
import { closest } from '@org/auth-core/adapter';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import {
  type CommandSpec,
  defineCommand,
  type FlagSpec,
  parseCommand,
  renderHelp,
  UsageError,
  wantsHelp,
} from './command-spec.js';
import { type RecordingFetch, recordingFetch } from './fetch-failure.js';
import { inFlagTerms } from './flag-terms.js';
import { type KeyFile, readKeyFile } from './key-file.js';
import { isoTimes, timeLines, timeWarnings } from './time-text.js';
import { parseTokenText } from './token-text.js';

/** Where the CLI writes and reads; the real process streams by default. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads all of stdin (for `inspect -`). */
  readonly readStdin: () => Promise<string>;
}

/** Exit codes: 0 done or accepted, 1 token rejected, 2 usage or input error. */
export const EXIT = Object.freeze({ ok: 0, rejected: 1, usage: 2 } as const);

const ALGORITHMS = new Set(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256']);

const KEYGEN = defineCommand({
  name: 'keygen',
  summary: 'Generate a key pair: a private key (PEM) and its public JWKS',
  usage: '[options]',
  description: [
    'Generate a signing key pair: the private key (PKCS#8 PEM, mode 600) signs tokens with',
    "'service-auth mint'; the public JWKS is what the verifying services trust.",
  ],
  flags: {
    alg: {
      type: 'string',
      value: '<alg>',
      help: 'ES256, ES384, ES512, EdDSA, RS256 or PS256 (default ES256)',
    },
    kid: { type: 'string', value: '<id>', help: "key id (default: the key's RFC 7638 thumbprint)" },
    'private-key': {
      type: 'string',
      value: '<file>',
      help: 'where to write the private key (default private-key.pem)',
    },
    jwks: { type: 'string', value: '<file>', help: 'where to write the public JWKS (default jwks.json)' },
    force: { type: 'boolean', help: 'overwrite existing files' },
    json: { type: 'boolean', help: 'print the kid, alg and file names as JSON' },
  },
  examples: ['service-auth keygen --alg EdDSA --kid billing-1'],
});

const MINT = defineCommand({
  name: 'mint',
  summary: 'Mint a service token signed with a private key',
  usage: '--key <file> --issuer <service> --audience <service> [options]',
  description: [
    'Sign a service token and print it: iss and sub are --issuer, aud is --audience, with iat,',
    'nbf, exp, a unique jti and the service marker source: "microservice".',
  ],
  flags: {
    key: {
      type: 'string',
      value: '<file>',
      help: "private key (PEM) to sign with, such as keygen's (required)",
    },
    issuer: {
      type: 'string',
      value: '<service>',
      help: 'the signing service: iss, and sub unless --subject (required)',
    },
    audience: { type: 'string', value: '<service>', help: 'the service the token is for: aud (required)' },
    kid: {
      type: 'string',
      value: '<id>',
      help: "key id for the header (default: the key's RFC 7638 thumbprint, as keygen's)",
    },
    subject: { type: 'string', value: '<id>', help: 'sub (default: --issuer)' },
    lifetime: {
      type: 'string',
      value: '<duration>',
      help: 'seconds, or 30s, 5m, 1h ... (default 5m; over 1h needs --allow-long-lifetime)',
    },
    'allow-long-lifetime': { type: 'boolean', help: 'allow a --lifetime over one hour' },
    permissions: { type: 'string', value: '<a,b>', help: 'permissions claim, comma-separated' },
    scope: { type: 'string', value: '"<a b>"', help: 'scope claim, space-separated' },
    claim: {
      type: 'string',
      multiple: true,
      value: '<name=value>',
      help: 'another claim; repeatable; values that parse as JSON (numbers, true, [...]) are JSON',
    },
    json: { type: 'boolean', help: 'print the token, its expiry, header and claims as JSON' },
  },
  examples: [
    'service-auth mint --key private-key.pem --issuer billing --audience orders --lifetime 2m',
    'service-auth mint --key private-key.pem --issuer billing --audience orders --permissions orders:read --claim tenant=acme',
  ],
});

const INSPECT = defineCommand({
  name: 'inspect',
  summary: 'Decode a token and, with --jwks, say whether a service would accept it',
  usage: '<token|-> [--jwks <file|url> --issuer <iss> --audience <aud>] [options]',
  description: [
    'Decode a token (the argument, or - to read it from stdin; a pasted "Bearer " in front is',
    'fine) and show its header, claims and times, with a warning when it has expired. With',
    '--jwks, --issuer and --audience, verify it as @org/auth-core would and, when it is',
    'rejected, print the error code and the reason.',
  ],
  flags: {
    jwks: {
      type: 'string',
      value: '<file|url>',
      help: 'keys to verify with: a JWKS file or URL, or a PEM public key or certificate',
    },
    issuer: { type: 'string', value: '<iss>', help: 'the trusted issuer, iss (required with --jwks)' },
    audience: {
      type: 'string',
      value: '<aud>',
      help: 'the verifying service, the expected aud (required with --jwks)',
    },
    caller: { type: 'string', multiple: true, value: '<id>', help: 'accept only this caller; repeatable' },
    'allow-insecure-http': {
      type: 'boolean',
      help: 'allow a --jwks http:// URL on a host other than loopback',
    },
    json: { type: 'boolean', help: 'print the result as JSON' },
  },
  examples: [
    'service-auth inspect "$TOKEN"',
    'service-auth inspect "$TOKEN" --jwks jwks.json --issuer billing --audience orders',
    'echo "Bearer $TOKEN" | service-auth inspect - --jwks https://auth.internal/jwks.json \\',
    '    --issuer https://auth.internal --audience orders --json',
  ],
  notes: ['Exit codes: 0 accepted (or decoded, without --jwks), 1 rejected, 2 usage error'],
});

interface Command {
  readonly spec: CommandSpec<Readonly<Record<string, FlagSpec>>>;
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}

const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['keygen', { spec: KEYGEN, run: keygen }],
  ['mint', { spec: MINT, run: mint }],
  ['inspect', { spec: INSPECT, run: inspect }],
]);

const USAGE = `Usage: service-auth <command> [options]

Commands:
${[...COMMANDS.values()].map(({ spec }) => `  ${spec.name.padEnd(10)}${spec.summary}`).join('\n')}
  help      Show the options and examples of a command: service-auth help <command>

Run 'service-auth <command> --help' for the options and examples of a command.
Global options: --json (machine-readable output), --help, --version
Exit codes: 0 ok/accepted, 1 rejected, 2 usage error`;

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
  // The command whose help the hint after a usage error points to.
  let helpOf: string | undefined;
  try {
    const found = command === undefined ? undefined : COMMANDS.get(command);
    if (found !== undefined) {
      helpOf = found.spec.name;
      if (wantsHelp(rest)) {
        io.stdout(renderHelp(found.spec));
        return EXIT.ok;
      }
      return await found.run(rest, io);
    }
    switch (command) {
      case '--version':
      case 'version': {
        const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
          version: string;
        };
        io.stdout(`${pkg.version}\n`);
        return EXIT.ok;
      }
      case 'help': {
        const [topic] = rest;
        const about = topic === undefined ? undefined : COMMANDS.get(topic);
        if (topic !== undefined && topic !== 'help' && about === undefined) throw unknownCommand(topic);
        io.stdout(about === undefined ? `${USAGE}\n` : renderHelp(about.spec));
        return EXIT.ok;
      }
      case undefined:
        io.stderr(`${USAGE}\n`);
        return EXIT.usage;
      case '--help':
      case '-h':
        io.stdout(`${USAGE}\n`);
        return EXIT.ok;
      default:
        throw unknownCommand(command);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: 'usage', message })}\n`);
    else {
      const hint =
        error instanceof UsageError
          ? `Run 'service-auth ${helpOf === undefined ? '' : `${helpOf} `}--help' for usage.\n`
          : '';
      io.stderr(`service-auth: ${message}\n${hint}`);
    }
    return EXIT.usage;
  }
}

function unknownCommand(name: string): UsageError {
  const suggestion = closest(name, [...COMMANDS.keys(), 'help', 'version']);
  return new UsageError(
    `unknown command ${JSON.stringify(name)}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
  );
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
  const { values } = parseCommand(KEYGEN, args);
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

/** The `mint` flag that sets an option of `createSelfSignedSource`. */
function mintFlag(option: string): string | undefined {
  if (option.startsWith('claims.')) return `--claim ${option.slice('claims.'.length)}`;
  return ['issuer', 'subject', 'audience', 'lifetime', 'permissions', 'scope', 'kid'].includes(option)
    ? `--${option}`
    : undefined;
}

async function mint(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(MINT, args);
  const keyPath = required(values.key, 'key');
  const issuer = required(values.issuer, 'issuer');
  const audience = required(values.audience, 'audience');
  let key: Awaited<ReturnType<typeof loadSigningKeyFromFile>>;
  try {
    key = await loadSigningKeyFromFile(keyPath, values.kid === undefined ? {} : { kid: values.kid });
  } catch (error) {
    throw new UsageError(`cannot load --key ${keyPath}: ${inFlagTerms(error, mintFlag)}`);
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
    throw new UsageError(inFlagTerms(error, mintFlag));
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

/** Where `inspect --jwks` found its keys, for the reasons of a rejection. */
type KeysFrom =
  | { readonly kind: 'url'; readonly url: string; readonly fetch: RecordingFetch }
  | ({ readonly kind: 'file'; readonly path: string } & KeyFile);

function explain(error: AuthError, header: Record<string, unknown>, keys: KeysFrom): string {
  switch (error.code) {
    case 'unknown_key':
      if (keys.kind === 'file' && keys.format === 'pem')
        return `no key in ${keys.path} verifies alg ${JSON.stringify(header.alg)}`;
      return `${error.detail?.explanation ?? 'no key matches'}${keys.kind === 'file' && keys.kids ? ` (kids: ${keys.kids.join(', ') || 'none'})` : ''}`;
    case 'invalid_token_type':
      if (error.claim === 'cnf')
        return 'the token is DPoP-bound (cnf.jkt): services accept it only with a DPoP proof, which inspect does not check';
      break;
    case 'keys_unavailable':
      return keys.kind === 'url' ? jwksFailure(keys, error) : (error.detail?.explanation ?? '');
  }
  // The same explanation the service's `rejected` events and logger give.
  return error.detail?.explanation ?? '';
}

/** `JWKS https://… answered HTTP 404`, `JWKS https://…: connection refused (ECONNREFUSED)`. */
function jwksFailure(keys: KeysFrom & { kind: 'url' }, error: AuthError): string {
  // The core's log-safe reason is the cause; the fetch saw the socket error behind a failed request.
  const reason =
    keys.fetch.lastFailure() ?? (error.cause instanceof Error ? error.cause.message : 'could not be fetched');
  return reason.startsWith('answered') ? `JWKS ${keys.url} ${reason}` : `JWKS ${keys.url}: ${reason}`;
}

/** The `inspect` flag that sets an option of `createVerifier`. */
function inspectFlag(jwks: string): (option: string) => string | undefined {
  return (option) => {
    const key = /^issuers(?:\[0\])?\.(?:jwksUri|jwks|publicKey)(?:\[(\d+)\]|\.keys\[(\d+)\])?/.exec(option);
    if (key !== null) {
      const index = key[1] ?? key[2];
      return `--jwks ${jwks}${index === undefined ? '' : ` (key ${Number(index) + 1})`}`;
    }
    if (/^issuers(?:\[0\])?\.issuer$/.test(option)) return '--issuer';
    if (/^issuers(?:\[0\])?\.allowInsecureHttp$/.test(option)) return '--allow-insecure-http';
    if (option === 'audience') return '--audience';
    if (option.startsWith('services.callers')) return '--caller';
    return undefined;
  };
}

async function inspect(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(INSPECT, args);
  if (positionals.length !== 1) throw new UsageError('inspect takes exactly one token (or - to read stdin)');
  const { token, scheme } = parseTokenText(positionals[0] === '-' ? await io.readStdin() : positionals[0]!);
  const otherScheme = scheme !== undefined && scheme.toLowerCase() !== 'bearer' ? scheme : undefined;
  let header: Record<string, unknown>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    claims = decodeJwt(token);
  } catch {
    const found = otherScheme === undefined ? '' : `found a ${JSON.stringify(otherScheme)} credential; `;
    if (values.json)
      io.stdout(
        `${JSON.stringify({ ok: false, accepted: false, code: 'malformed_token', reason: otherScheme === undefined ? 'not a JWT' : `not a JWT (found a ${JSON.stringify(otherScheme)} credential)` })}\n`,
      );
    else io.stdout(`✘ rejected: malformed_token: not a JWT (${found}expected header.payload.signature)\n`);
    return EXIT.rejected;
  }
  if (otherScheme !== undefined) {
    io.stderr(
      `service-auth: note: read the token after the ${JSON.stringify(otherScheme)} scheme${/^dpop$/i.test(otherScheme) ? '; its DPoP proof is not checked' : ''}\n`,
    );
  }
  const now = Date.now() / 1000;
  const times = isoTimes(claims);
  if (values.jwks === undefined) {
    if (values.issuer !== undefined || values.audience !== undefined)
      throw new UsageError('--issuer and --audience need --jwks');
    const warnings = timeWarnings(claims, now);
    if (values.json) io.stdout(`${JSON.stringify({ ok: true, header, claims, times, warnings })}\n`);
    else
      io.stdout(
        `${warnings.map((warning) => `⚠ ${warning.message}: services reject it (${warning.code})\n`).join('')}${describe(header, claims, now)}\n(signature not checked: pass --jwks, --issuer and --audience)\n`,
      );
    return EXIT.ok;
  }
  const issuer = required(values.issuer, 'issuer');
  const audience = required(values.audience, 'audience');
  let keys: KeysFrom;
  let keySource: IssuerOptions;
  if (isUrl(values.jwks)) {
    keys = { kind: 'url', url: values.jwks, fetch: recordingFetch() };
    keySource = {
      issuer,
      jwksUri: values.jwks,
      fetch: keys.fetch.fetch,
      ...(values['allow-insecure-http'] ? { allowInsecureHttp: true } : {}),
    };
  } else {
    const file = await readKeyFile(values.jwks, issuer);
    keys = { kind: 'file', path: values.jwks, ...file };
    keySource = file.issuer;
  }
  let verifier: ReturnType<typeof createVerifier>;
  try {
    verifier = createVerifier({
      issuers: keySource,
      audience,
      ...(values.caller === undefined ? {} : { services: { callers: values.caller } }),
    });
  } catch (error) {
    throw new UsageError(inFlagTerms(error, inspectFlag(values.jwks)));
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
      times,
    };
    if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
    else
      io.stdout(
        `✔ accepted: ${auth.kind} token from ${auth.caller ?? auth.subject ?? '?'}\n${describe(header, claims, now)}\n`,
      );
    return EXIT.ok;
  } catch (error) {
    if (!isAuthError(error)) throw error;
    const reason = explain(error, header, keys);
    const result = {
      ok: true,
      accepted: false,
      code: error.code,
      description: error.description,
      reason,
      status: error.status,
      header,
      claims,
      times,
    };
    if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
    else
      io.stdout(
        `✘ rejected: ${error.code}: ${error.description}${reason ? `: ${reason}` : ''}\n${describe(header, claims, now)}\n`,
      );
    return EXIT.rejected;
  } finally {
    verifier.close();
  }
}

function describe(header: Record<string, unknown>, claims: JWTPayload, now: number): string {
  const times = timeLines(claims, now);
  return `header: ${JSON.stringify(header)}\nclaims: ${JSON.stringify(claims, null, 2)}${times.length === 0 ? '' : `\ntimes:\n${times.map((line) => `  ${line}`).join('\n')}`}`;
}
