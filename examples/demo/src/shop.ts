import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type LoginService, startLoginService } from './login.js';
import { startWiretap, type Wiretap } from './wiretap.js';

export type AuthMode = 'self-signed' | 'token-service';

export const SERVICE_NAMES = ['token-service', 'orders', 'payments', 'inventory', 'shipping'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const EXAMPLE_DIRECTORY: Record<ServiceName, string> = {
  'token-service': 'token-service',
  orders: 'express-orders',
  payments: 'fastify-payments',
  inventory: 'koa-inventory',
  shipping: 'grpc-shipping',
};

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly url: string;
  readonly child: ChildProcess;
  /** Every line the service wrote (JSON log lines on stdout, anything on stderr). */
  readonly lines: string[];
}

export interface Shop {
  readonly mode: AuthMode;
  readonly login: LoginService;
  /** Sits between orders and payments and remembers the last token orders sent there. */
  readonly wiretap: Wiretap;
  readonly services: Readonly<Partial<Record<ServiceName, ServiceProcess>>>;
  /** The shipping service's gRPC address, `127.0.0.1:port` (its `url` serves `/healthz` and `/metrics`). */
  readonly shippingAddress: string;
  url(name: ServiceName): string;
  /** Stops every process this shop started (by PID) and the in-process servers. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartShopOptions {
  readonly mode: AuthMode;
  /** Time limit for every service to answer `/healthz` with 200. Default 30 s. */
  readonly healthTimeoutMs?: number;
}

// Every shop being started or running, so that a signal can stop them even mid-start-up.
const activeShops = new Set<() => Promise<void>>();

/** Stops every shop of this process (for Ctrl-C and kill handlers). */
export async function stopAllShops(): Promise<void> {
  await Promise.all([...activeShops].map((stop) => stop()));
}

/** A free TCP port on loopback (the OS picks; released just before the service binds it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const EXAMPLES_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function spawnService(name: ServiceName, port: number, env: Record<string, string>): ServiceProcess {
  // `node --import tsx`, not the tsx CLI: one process per service, so its PID is the service's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: `${EXAMPLES_ROOT}${EXAMPLE_DIRECTORY[name]}`,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line !== ''));
    });
  }
  return { name, url: `http://127.0.0.1:${port}`, child, lines };
}

async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitHealthy(service: ServiceProcess, deadline: number): Promise<void> {
  for (;;) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(
        `${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) before it was healthy:\n${service.lines.slice(-20).join('\n')}`,
      );
    }
    try {
      const res = await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${service.name} was not healthy in time:\n${service.lines.slice(-20).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts the shop: the login service and the wiretap in this process, the services (and in
 * token-service mode the token service) as child processes on free loopback ports, and waits
 * until every service reports healthy. On failure, everything started so far is stopped.
 */
export async function startShop(options: StartShopOptions): Promise<Shop> {
  const { mode } = options;
  const names = SERVICE_NAMES.filter((name) => mode === 'token-service' || name !== 'token-service');
  const ports = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await freePort()] as const)),
  );
  const urlOf = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  const shippingGrpcPort = await freePort(); // shipping's gRPC, next to its HTTP health port
  const shippingAddress = `127.0.0.1:${shippingGrpcPort}`;

  const services: Partial<Record<ServiceName, ServiceProcess>> = {};
  let login: LoginService | undefined;
  let wiretap: Wiretap | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await Promise.all(Object.values(services).map((service) => stopProcess(service.child)));
      await Promise.all([login?.close(), wiretap?.close()]);
      activeShops.delete(stop);
    })();
    return stopped;
  };
  activeShops.add(stop);

  try {
    login = await startLoginService();
    wiretap = await startWiretap(urlOf('payments'));
    const common: Record<string, string> = {
      AUTH_MODE: mode,
      LOGIN_ISSUER: login.issuer,
      LOGIN_JWKS_URL: login.jwksUri,
      ORDERS_URL: urlOf('orders'),
      PAYMENTS_URL: urlOf('payments'),
      INVENTORY_URL: urlOf('inventory'),
      SHIPPING_GRPC_ADDRESS: shippingAddress,
      ...(mode === 'token-service' ? { TOKEN_SERVICE_URL: urlOf('token-service') } : {}),
    };
    const extra: Partial<Record<ServiceName, Record<string, string>>> = {
      orders: { PAYMENTS_URL: wiretap.url }, // orders reaches payments through the wiretap
      payments: { PAYMENTS_DEMO_ROUTES: '1' },
      shipping: { GRPC_PORT: String(shippingGrpcPort) },
    };
    for (const name of names) {
      services[name] = spawnService(name, ports[name] as number, { ...common, ...extra[name] });
    }
    const deadline = Date.now() + (options.healthTimeoutMs ?? 30_000);
    await Promise.all(Object.values(services).map((service) => waitHealthy(service, deadline)));
  } catch (error) {
    await stop();
    throw error;
  }

  const started = { login, wiretap };
  return {
    mode,
    login: started.login,
    wiretap: started.wiretap,
    services,
    shippingAddress,
    url: urlOf,
    stop,
  };
}
