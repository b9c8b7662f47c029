// `pnpm demo` (from the repository root) runs this: it starts the shop, runs the scenario,
// prints the transcript and stops every process it started. Exit code 0 only when every step
// behaved as expected.
//
//   pnpm demo                          self-signed mode (each service signs its own tokens)
//   pnpm demo --mode token-service     tokens from the OAuth 2.0 token service (or AUTH_MODE=token-service)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authCounts } from './metrics.js';
import { runScenario } from './scenario.js';
import { type AuthMode, type Shop, startShop, stopAllShops } from './shop.js';
import { formatStep, styleFor } from './transcript.js';

function modeOf(argv: readonly string[], env: NodeJS.ProcessEnv): AuthMode {
  const index = argv.indexOf('--mode');
  const flag = argv.find((arg) => arg.startsWith('--mode='))?.slice('--mode='.length);
  const value = flag ?? (index >= 0 ? argv[index + 1] : undefined) ?? env.AUTH_MODE ?? 'self-signed';
  if (value === 'self-signed' || value === 'token-service') return value;
  throw new TypeError(`--mode must be "self-signed" or "token-service", got "${value}"`);
}

const style = styleFor(process.stdout);
let shop: Shop | undefined;
let interrupted = false;

// Ctrl-C or a kill: stop what was started, then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.log(style.red(`\n${signal}: stopping the shop`));
    void stopAllShops().finally(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  const mode = modeOf(process.argv.slice(2), process.env);
  console.log(style.bold(`The shop demo, ${mode} mode`));
  const started = Date.now();
  shop = await startShop({ mode });
  console.log(style.dim(`   login (this process, user tokens)  ${shop.login.jwksUri}`));
  for (const service of Object.values(shop.services)) {
    console.log(
      style.dim(
        `   ${service.name.padEnd(14)} pid ${String(service.child.pid).padEnd(8)} ${service.url}${service.name === 'shipping' ? ` (gRPC ${shop.shippingAddress})` : ''}`,
      ),
    );
  }
  console.log(style.dim(`   all healthy after ${Date.now() - started} ms\n`));

  const steps = await runScenario(shop, (step) => console.log(`${formatStep(step, style)}\n`));
  const failed = steps.filter((step) => !step.ok);

  // The services' own JSON log lines (audit events of every accepted and rejected call).
  const logs = mkdtempSync(join(tmpdir(), 'shop-demo-'));
  const counts: string[] = [];
  for (const service of Object.values(shop.services)) {
    writeFileSync(join(logs, `${service.name}.log`), `${service.lines.join('\n')}\n`);
    const accepted = service.lines.filter((line) => line.includes('"msg":"call accepted"')).length;
    const rejected = service.lines.filter((line) => line.includes('"msg":"call rejected"')).length;
    counts.push(`${service.name} ${accepted} accepted / ${rejected} rejected`);
  }
  console.log(style.dim(`audit log: ${counts.join(', ')}; full logs in ${logs}`));
  // The verifiers' OpenTelemetry counters (each service's GET /metrics): authentication only, so a
  // route's refusal (a guard's 403) is in the audit log but not among these rejections.
  const metrics: string[] = [];
  for (const service of Object.values(shop.services)) {
    const counted = await authCounts(service.url).catch(() => undefined);
    if (counted === undefined) continue;
    metrics.push(
      `${service.name} ${counted.accepted} accepted / ${counted.rejected} rejected, ${counted.cacheHits} cache hits, ${counted.keyFetches} key fetches`,
    );
  }
  if (metrics.length > 0) console.log(style.dim(`authentication metrics: ${metrics.join('; ')}`));
  if (failed.length === 0) {
    console.log(style.green(style.bold(`✔ all ${steps.length} steps behaved as expected`)));
    exitCode = 0;
  } else {
    console.log(
      style.red(style.bold(`✘ ${failed.length} of ${steps.length} steps did not behave as expected`)),
    );
  }
} catch (error) {
  if (!interrupted)
    console.error(style.red(`demo failed: ${error instanceof Error ? error.message : String(error)}`));
} finally {
  await shop?.stop();
}
if (!interrupted) process.exit(exitCode);
