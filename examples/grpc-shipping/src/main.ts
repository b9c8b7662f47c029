import { configFromEnv } from './config.js';
import { createLogger } from './log.js';
import { startShippingService } from './shipping-service.js';

const log = createLogger('shipping');
const service = await startShippingService(configFromEnv(), log);

// Graceful shutdown: stop accepting connections, let in-flight requests finish, then exit.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 5000).unref();
    service.close().then(
      () => {
        clearTimeout(force);
        log('info', 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log('error', 'shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  });
}
