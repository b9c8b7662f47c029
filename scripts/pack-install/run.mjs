#!/usr/bin/env node
// Pack-and-install check: what users get from npm, used the way the READMEs say.
//
// Builds the packages, packs every published one (each packages/* without `"private": true`) with
// `pnpm pack` (which rewrites `workspace:` ranges), then installs the tarballs with plain
// `npm install` into fresh apps in a temporary folder outside the workspace (third-party packages
// from the npm registry), builds each app with its own `tsc` and runs it on loopback:
//
//   express, koa, fastify  receivers (ESM TypeScript) written from their package's README
//   caller                 @org/auth-client with a key made by the packed `service-auth keygen`;
//                          calls each receiver: 200 allowed, 403 missing permission, 401 no token,
//                          401 token for another audience
//   redis                  @org/auth-redis with ioredis 6 against a redis-server started here
//   cjs                    a CommonJS app that require()s the ESM-only packages, compiled with the
//                          oldest TypeScript that allows it (CJS_TYPESCRIPT below)
//
// The app sources are in ./apps; `"packed"` in their package.json stands for the tarball. One line
// per app (OK or FAILED and why); exit code 1 on any failure. Every wait has a timeout; the
// temporary folder and every process started here are removed on the way out, failures included.
//
//   node scripts/pack-install/run.mjs [--keep]     (pnpm pack:install)
//
// --keep leaves the temporary folder in place and prints its path. Every install uses npm's one
// cache (its usual one, or npm_config_cache) and registry (npm_config_registry).
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The oldest TypeScript that compiles `import` of ESM-only packages in CommonJS ("module": "nodenext"). */
const CJS_TYPESCRIPT = '5.8.2';
const TIMEOUTS = {
  build: 300_000,
  pack: 60_000,
  install: 180_000,
  tsc: 120_000,
  start: 15_000,
  run: 30_000,
  stop: 5_000,
  overall: 600_000,
};

const root = resolve(import.meta.dirname, '../..');
const appsSource = join(import.meta.dirname, 'apps');
const keep = process.argv.includes('--keep');
const startedAt = Date.now();
const work = mkdtempSync(join(tmpdir(), 'pack-install-'));
const children = new Set();
const results = [];

// Children get the environment of a plain shell: no npm/pnpm script variables, and no workspace
// node_modules/.bin on PATH, so that nothing of the workspace leaks into the apps.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(npm_|pnpm_)/i.test(name) || /^npm_config_(registry|cache)$/.test(name),
  ),
);
env.PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => isAbsolute(entry) && entry !== root && !entry.startsWith(`${root}${sep}`))
  .join(delimiter);

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const lastLines = (text, count = 8) => text.trim().split('\n').slice(-count).join('\n    ');
/** The error lines of a failed command's output (tsc's, npm's, turbo's), else its last lines. */
function errorLines(text) {
  const errors = text.split('\n').filter((line) => /\berror\b|\bfailed\b/i.test(line));
  return errors.length > 0 ? errors.slice(0, 15).join('\n    ') : lastLines(text);
}

function report(name, ok, detail) {
  results.push({ name, ok });
  console.log(`${ok ? 'OK    ' : 'FAILED'} ${name}: ${detail.replaceAll('\n', '\n    ')}`);
}

/** Starts a command in its own process group (so that it can be stopped with its children). */
function spawnTracked(command, args, options) {
  const child = spawn(command, args, { env, ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function kill(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command to its end, or kills it after `timeout` ms. */
function run(command, args, { cwd = root, timeout, extraEnv = {} }) {
  return new Promise((done) => {
    const child = spawnTracked(command, args, { cwd, env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      kill(child, 'SIGKILL');
    }, timeout);
    child.once('error', (error) => {
      clearTimeout(timer);
      done({ code: null, stdout, stderr: `${stderr}${error.message}`, timedOut });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut });
    });
  });
}

/** `run` that throws with the command's output when it fails. */
async function runOrThrow(label, command, args, options) {
  const result = await run(command, args, options);
  if (result.timedOut) throw new Error(`${label} timed out after ${options.timeout / 1000}s`);
  if (result.code !== 0) {
    throw new Error(
      `${label} exited with ${result.code}:\n${errorLines(`${result.stdout}\n${result.stderr}`)}`,
    );
  }
  return result;
}

/** Starts a server and resolves with what `ready` finds in a line of its stdout. */
function start(command, args, { cwd, timeout, extraEnv = {}, ready }) {
  return new Promise((done, fail) => {
    const child = spawnTracked(command, args, { cwd, env: { ...env, ...extraEnv } });
    let output = '';
    let buffer = '';
    const timer = setTimeout(() => {
      kill(child, 'SIGKILL');
      fail(new Error(`not ready after ${timeout / 1000}s:\n${lastLines(output)}`));
    }, timeout);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        let value;
        try {
          value = ready(line);
        } catch {
          // not the line we wait for
        }
        if (value !== undefined) {
          clearTimeout(timer);
          done({ child, value });
        }
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`exited with ${code} before it was ready:\n${lastLines(output)}`));
    });
  });
}

/** Stops a started server: SIGTERM, then SIGKILL when it has not exited within the timeout. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  kill(child, 'SIGTERM');
  const timer = setTimeout(() => kill(child, 'SIGKILL'), TIMEOUTS.stop);
  await exited;
  clearTimeout(timer);
}

function cleanup() {
  for (const child of children) kill(child, 'SIGKILL');
  children.clear();
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function pool(items, limit, task) {
  const queue = [...items];
  const worker = async () => {
    while (queue.length > 0) await task(queue.shift());
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const installedVersion = (appDir, name) => {
  const file = join(appDir, 'node_modules', name, 'package.json');
  return existsSync(file) ? readJson(file).version : 'missing';
};

async function buildAndPack() {
  const buildStart = Date.now();
  await runOrThrow(
    'pnpm turbo run build',
    'pnpm',
    ['turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
    { timeout: TIMEOUTS.build },
  );
  const tarballDir = join(work, 'tarballs');
  mkdirSync(tarballDir);
  const published = readdirSync(join(root, 'packages'))
    .map((dir) => join(root, 'packages', dir))
    .filter(
      (dir) => existsSync(join(dir, 'package.json')) && readJson(join(dir, 'package.json')).private !== true,
    );
  const tarballs = {};
  await Promise.all(
    published.map(async (dir) => {
      const { name, version } = readJson(join(dir, 'package.json'));
      await runOrThrow(`pnpm pack of ${name}`, 'pnpm', ['pack', '--pack-destination', tarballDir], {
        cwd: dir,
        timeout: TIMEOUTS.pack,
      });
      const file = join(tarballDir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
      if (!existsSync(file)) throw new Error(`pnpm pack of ${name} made no ${relative(work, file)}`);
      const { stdout } = await runOrThrow(`tar of ${name}`, 'tar', ['-xzOf', file, 'package/package.json'], {
        timeout: TIMEOUTS.pack,
      });
      if (stdout.includes('workspace:'))
        throw new Error(`${name}: the packed package.json has workspace: ranges`);
      tarballs[name] = file;
    }),
  );
  report('build and pack', true, `${Object.keys(tarballs).sort().join(', ')} (${seconds(buildStart)})`);
  return tarballs;
}

/**
 * Copies an app, points its `"packed"` dependencies at the tarballs (every other published package
 * through `overrides`, in place of the registry), installs it with npm and builds it with its tsc.
 */
async function installAndBuild(name, tarballs) {
  const appDir = join(work, 'apps', name);
  cpSync(join(appsSource, name), appDir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
  });
  const manifest = readJson(join(appDir, 'package.json'));
  const direct = new Set();
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      if (range !== 'packed') continue;
      if (!tarballs[dependency]) throw new Error(`${dependency} is not a published package`);
      manifest[field][dependency] = `file:${tarballs[dependency]}`;
      direct.add(dependency);
    }
  }
  manifest.overrides = Object.fromEntries(
    Object.entries(tarballs)
      .filter(([dependency]) => !direct.has(dependency))
      .map(([dependency, file]) => [dependency, `file:${file}`]),
  );
  if (name === 'cjs') manifest.devDependencies.typescript = CJS_TYPESCRIPT;
  writeFileSync(join(appDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const installStart = Date.now();
  const install = await runOrThrow(
    'npm install',
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-update-notifier'],
    { cwd: appDir, timeout: TIMEOUTS.install },
  );
  const npmOutput = `${install.stdout}\n${install.stderr}`;
  const peerProblems = npmOutput
    .split('\n')
    .filter((line) => /ERESOLVE|peer dep|conflicting peer/i.test(line));
  if (peerProblems.length > 0) throw new Error(`npm install warned about peers:\n${peerProblems.join('\n')}`);
  const installTime = seconds(installStart);

  const buildStart = Date.now();
  await runOrThrow('tsc', process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
    cwd: appDir,
    timeout: TIMEOUTS.tsc,
  });
  return {
    appDir,
    timing: `npm install ${installTime}, tsc ${installedVersion(appDir, 'typescript')} ${seconds(buildStart)}`,
  };
}

async function freePort() {
  const server = createServer();
  await new Promise((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

async function startRedis() {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = join(work, 'redis');
    mkdirSync(dir, { recursive: true });
    try {
      const { child } = await start(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
        {
          cwd: dir,
          timeout: TIMEOUTS.start,
          ready: (line) => (/ready to accept/i.test(line) ? true : undefined),
        },
      );
      return { child, port };
    } catch (error) {
      if (error.code === 'ENOENT') {
        throw new Error('redis-server not found (Debian/Ubuntu: sudo apt-get install -y redis-server)');
      }
      if (attempt === 3 || !/address already in use/i.test(error.message)) throw error;
    }
  }
}

/** The receivers and the caller: one line per receiver and one for the caller. */
async function checkReceivers(apps) {
  const caller = apps.caller;
  const receivers = ['express', 'koa', 'fastify'].filter((name) => apps[name]);
  if (!caller) {
    for (const name of receivers) report(name, false, 'not called: the caller app failed');
    return;
  }
  const keys = join(work, 'keys');
  mkdirSync(keys);
  const privateKey = join(keys, 'private-key.pem');
  const jwks = join(keys, 'jwks.json');
  try {
    await runOrThrow(
      'service-auth keygen',
      join(caller.appDir, 'node_modules', '.bin', 'service-auth'),
      ['keygen', '--alg', 'ES256', '--private-key', privateKey, '--jwks', jwks],
      { cwd: caller.appDir, timeout: TIMEOUTS.run },
    );
  } catch (error) {
    report('caller', false, error.message);
    for (const name of receivers) report(name, false, 'not called: no key');
    return;
  }

  const started = {};
  await Promise.all(
    receivers.map(async (name) => {
      try {
        started[name] = await start(process.execPath, ['dist/server.js'], {
          cwd: apps[name].appDir,
          timeout: TIMEOUTS.start,
          extraEnv: { JWKS_FILE: jwks },
          ready: (line) => (line.startsWith('{') ? JSON.parse(line).port : undefined),
        });
      } catch (error) {
        report(name, false, `did not start: ${error.message}`);
      }
    }),
  );
  const targets = Object.fromEntries(
    Object.entries(started).map(([name, { value: port }]) => [name, `http://127.0.0.1:${port}`]),
  );
  if (Object.keys(targets).length === 0) {
    report('caller', false, 'no receiver to call');
    return;
  }
  try {
    const call = await run(process.execPath, ['dist/call.js'], {
      cwd: caller.appDir,
      timeout: TIMEOUTS.run,
      extraEnv: { TARGETS: JSON.stringify(targets), PRIVATE_KEY_FILE: privateKey },
    });
    const last = call.stdout.trim().split('\n').at(-1) ?? '';
    const outcome = last.startsWith('{"results"') ? JSON.parse(last).results : undefined;
    if (!outcome) {
      const why = call.timedOut ? `timed out after ${TIMEOUTS.run / 1000}s` : `exited with ${call.code}`;
      report('caller', false, `${why}:\n${lastLines(`${call.stdout}\n${call.stderr}`)}`);
      for (const name of Object.keys(started)) report(name, false, 'the caller did not report on it');
      return;
    }
    report('caller', true, `@org/auth-client called ${Object.keys(targets).join(', ')} (${caller.timing})`);
    for (const name of Object.keys(started)) {
      const framework = { express: 'express', koa: 'koa', fastify: 'fastify' }[name];
      const detail = `${framework} ${installedVersion(apps[name].appDir, framework)}, ${apps[name].timing}`;
      if (outcome[name] === null) report(name, true, `200 allowed, 403 / 401 / 401 refused (${detail})`);
      else report(name, false, outcome[name] ?? 'not called');
    }
  } finally {
    await Promise.all(Object.values(started).map(({ child }) => stop(child)));
  }
}

async function checkRedis(app) {
  const ioredis = installedVersion(app.appDir, 'ioredis');
  if (!ioredis.startsWith('6.')) throw new Error(`ioredis ${ioredis} installed, expected 6`);
  const redis = await startRedis();
  try {
    const result = await run(process.execPath, ['dist/main.js'], {
      cwd: app.appDir,
      timeout: TIMEOUTS.run,
      extraEnv: { REDIS_URL: `redis://127.0.0.1:${redis.port}` },
    });
    if (result.code !== 0) {
      const why = result.timedOut ? `timed out after ${TIMEOUTS.run / 1000}s` : `exited with ${result.code}`;
      throw new Error(`${why}:\n${lastLines(`${result.stdout}\n${result.stderr}`)}`);
    }
    return `ioredis ${ioredis}, no peer warnings from npm; replay and revocation refused across replicas (${app.timing})`;
  } finally {
    await stop(redis.child);
  }
}

async function checkCjs(app) {
  const result = await run(process.execPath, ['dist/main.js'], { cwd: app.appDir, timeout: TIMEOUTS.run });
  if (result.code !== 0) {
    const why = result.timedOut ? `timed out after ${TIMEOUTS.run / 1000}s` : `exited with ${result.code}`;
    throw new Error(`${why}:\n${lastLines(`${result.stdout}\n${result.stderr}`)}`);
  }
  return `require() of @org/auth-express and import() of @org/auth-client on Node ${process.versions.node}, 200 / 403 / 401 (${app.timing})`;
}

async function main() {
  let tarballs;
  try {
    tarballs = await buildAndPack();
  } catch (error) {
    report('build and pack', false, error.message);
    return;
  }
  const names = readdirSync(appsSource).sort();
  const apps = {};
  // npm installs wait on the network and tsc on the CPU: three apps at a time keep both busy.
  await pool(names, 3, async (name) => {
    try {
      apps[name] = await installAndBuild(name, tarballs);
    } catch (error) {
      report(name, false, error.message);
    }
  });
  await checkReceivers(apps);
  for (const [name, check] of [
    ['redis', checkRedis],
    ['cjs', checkCjs],
  ]) {
    if (!apps[name]) continue;
    try {
      report(name, true, await check(apps[name]));
    } catch (error) {
      report(name, false, error.message);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`pack-install: ${signal}, stopping`);
    cleanup();
    process.exit(1);
  });
}
const watchdog = setTimeout(() => {
  console.error(`pack-install: FAILED, not done after ${TIMEOUTS.overall / 1000}s`);
  cleanup();
  process.exit(1);
}, TIMEOUTS.overall);

console.log(`pack-install: working in ${work}`);
try {
  await main();
} catch (error) {
  report('pack-install', false, error.stack ?? String(error));
} finally {
  clearTimeout(watchdog);
  cleanup();
}
const failed = results.filter((result) => !result.ok).length;
console.log(`pack-install: ${results.length - failed} OK, ${failed} FAILED in ${seconds(startedAt)}`);
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
