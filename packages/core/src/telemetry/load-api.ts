import { createRequire } from 'node:module';
import type * as OpenTelemetry from '@opentelemetry/api';

/** The `@opentelemetry/api` module, an optional peer dependency. */
export type OpenTelemetryApi = typeof OpenTelemetry;

/** Finds `@opentelemetry/api`; throws when it is not installed. */
export type ApiResolver = () => unknown;

// `@opentelemetry/api` ships CommonJS, so it can be loaded synchronously when a verifier is built:
// no top-level await (which would break `require()` of this package) and no cost at import time.
const requireApi: ApiResolver = () => createRequire(import.meta.url)('@opentelemetry/api');

let resolver: ApiResolver = requireApi;
let loaded: OpenTelemetryApi | null | undefined;

/**
 * `@opentelemetry/api` when the application has it installed, else `undefined`. Resolved once, on
 * the first call (the first verifier built with telemetry on), then remembered.
 */
export function loadOpenTelemetryApi(): OpenTelemetryApi | undefined {
  if (loaded === undefined) {
    try {
      const api = resolver() as Partial<OpenTelemetryApi> | undefined;
      // Anything without the three APIs the telemetry uses is not a usable `@opentelemetry/api`.
      loaded =
        typeof api?.metrics?.getMeterProvider === 'function' &&
        typeof api.trace?.getTracerProvider === 'function' &&
        typeof api.context?.active === 'function'
          ? (api as OpenTelemetryApi)
          : null;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/**
 * For tests: resolve `@opentelemetry/api` with `replacement` from now on (`undefined` restores
 * the real resolution), forgetting what was loaded before.
 *
 * @internal
 */
export function setApiResolver(replacement: ApiResolver | undefined): void {
  resolver = replacement ?? requireApi;
  loaded = undefined;
}
