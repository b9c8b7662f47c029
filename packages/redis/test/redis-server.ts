import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real `redis-server` on a free loopback port, started and stopped by the test itself. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, so a persisting server writes its data) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  dispose(): Promise<void>;
}

/**
 * How the server keeps data: `none` (`--save '' --appendonly no`, the default: a restart empties
 * it), `aof` (`--appendonly yes --appendfsync everysec`) or `rdb` (snapshots, `--save '60 1'`).
 */
export type Persistence = 'none' | 'aof' | 'rdb';

export interface RedisServerOptions {
  readonly persistence?: Persistence;
  /** More `redis-server` arguments, e.g. `['--rename-command', 'CONFIG', '']` as on managed Redis. */
  readonly args?: readonly string[];
}

const PERSISTENCE_ARGS: Record<Persistence, string[]> = {
  none: ['--save', '', '--appendonly', 'no'],
  aof: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
  rdb: ['--save', '60 1', '--appendonly', 'no'],
};

/**
 * Fails with a clear message, never skips, when `redis-server` is not installed: the tests of
 * this package are about a real server (`.ci/run` installs it).
 */
export function assertRedisInstalled(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed, and the @org/auth-redis tests need a real one: install it with `apt-get install -y redis-server` (.ci/run does this before `pnpm install`)',
    );
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startRedisServer({
  persistence = 'none',
  args = [],
}: RedisServerOptions = {}): Promise<RedisServer> {
  assertRedisInstalled();
  const port = await freePort();
  // Its own data directory, so that persisted data is this server's and is removed with it.
  const dir = await mkdtemp(join(tmpdir(), 'auth-redis-test-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    const spawned = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        ...PERSISTENCE_ARGS[persistence],
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = spawned;
    // Ready when it says so; bounded, so a broken install fails the test instead of hanging it.
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          spawned.stdout?.off('data', onData);
          resolve();
        }
      };
      spawned.stdout?.on('data', onData);
      spawned.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    await exited;
  };

  const dispose = async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop, start, dispose };
}
