import type { Meter, Tracer } from '@opentelemetry/api';
import { AuthConfigError } from '../errors.js';
import { assertKnownKeys, flag, optionKeys } from '../lib/option-checks.js';
import { loadOpenTelemetryApi, type OpenTelemetryApi } from './load-api.js';
import type { Telemetry } from './telemetry.js';
import { TELEMETRY_SCOPE, VerifierTelemetry } from './verifier-telemetry.js';

/** An OpenTelemetry `MeterProvider`, such as the SDK's `MeterProvider`. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string, options?: object): unknown;
}

/** An OpenTelemetry `TracerProvider`, such as the SDK's `NodeTracerProvider`. */
export interface TracerProviderLike {
  getTracer(name: string, version?: string, options?: object): unknown;
}

/**
 * Where a verifier's metrics and spans go (the `telemetry` option). OpenTelemetry's
 * `@opentelemetry/api` is an optional peer dependency: without it nothing is recorded.
 */
export interface TelemetryOptions {
  /** Metrics go here. Default: the global one (`metrics.getMeterProvider()`); `false`: no metrics. */
  readonly meterProvider?: MeterProviderLike | false;
  /** Spans go here. Default: the global one (`trace.getTracerProvider()`); `false`: no spans. */
  readonly tracerProvider?: TracerProviderLike | false;
  /**
   * Record the calling service's name (`auth.caller.name`) on metrics and spans. Default `false`:
   * caller names are unbounded in principle, and every name is a time series of its own.
   */
  readonly recordCallerNames?: boolean;
}

const TELEMETRY_OPTION_KEYS = optionKeys<TelemetryOptions>({
  meterProvider: true,
  tracerProvider: true,
  recordCallerNames: true,
});

const INSTALL = 'install @opentelemetry/api (pnpm add @opentelemetry/api) or leave telemetry out';

/**
 * Validates the `telemetry` option and builds the verifier's telemetry: `undefined` (recording
 * nothing, at no cost per request) when it is off, when `@opentelemetry/api` is not installed and
 * telemetry was not asked for explicitly, or when no provider is registered (no SDK).
 *
 * The global providers are read here, once: start the OpenTelemetry SDK before building the
 * verifier, as OpenTelemetry asks of every instrumented library.
 *
 * @throws {AuthConfigError} for a malformed option, or an explicit one without `@opentelemetry/api`
 */
export function compileTelemetry(
  option: boolean | TelemetryOptions | undefined,
  now: () => number,
): Telemetry | undefined {
  if (option === false) return undefined;
  if (option !== undefined && option !== true && (typeof option !== 'object' || option === null)) {
    throw new AuthConfigError(
      'telemetry',
      'expected true, false or { meterProvider?, tracerProvider?, recordCallerNames? }',
    );
  }
  const options: TelemetryOptions = typeof option === 'object' ? option : {};
  assertKnownKeys('telemetry', options, TELEMETRY_OPTION_KEYS);
  const recordCallerNames = flag('telemetry.recordCallerNames', options.recordCallerNames);
  checkProvider('telemetry.meterProvider', options.meterProvider, 'getMeter', 'MeterProvider');
  checkProvider('telemetry.tracerProvider', options.tracerProvider, 'getTracer', 'TracerProvider');
  if (options.meterProvider === false && options.tracerProvider === false) return undefined;
  const api = loadOpenTelemetryApi();
  if (api === undefined) {
    if (option === undefined) return undefined;
    throw new AuthConfigError('telemetry', `needs @opentelemetry/api, which is not installed: ${INSTALL}`);
  }
  const meter = meterOf(api, options.meterProvider);
  const tracer = tracerOf(api, options.tracerProvider);
  if (meter === undefined && tracer === undefined) return undefined;
  return new VerifierTelemetry({ api, meter, tracer, recordCallerNames, now });
}

function checkProvider(option: string, provider: unknown, method: string, kind: string): void {
  if (provider === undefined || provider === false) return;
  if (
    typeof provider !== 'object' ||
    provider === null ||
    typeof (provider as never)[method] !== 'function'
  ) {
    throw new AuthConfigError(
      option,
      `expected an OpenTelemetry ${kind} (an object with ${method}(), such as the SDK's ${kind}), or false to turn it off`,
    );
  }
}

/** The meter, or `undefined` when there is nowhere to send metrics (no SDK registered). */
function meterOf(api: OpenTelemetryApi, provider: MeterProviderLike | false | undefined): Meter | undefined {
  if (provider === false) return undefined;
  const meter = (provider ?? api.metrics.getMeterProvider()).getMeter(TELEMETRY_SCOPE) as Meter;
  if (typeof api.createNoopMeter === 'function' && meter === api.createNoopMeter()) return undefined;
  if (
    typeof meter?.createCounter !== 'function' ||
    typeof meter.createHistogram !== 'function' ||
    typeof meter.createObservableGauge !== 'function' ||
    typeof meter.createObservableCounter !== 'function'
  ) {
    throw new AuthConfigError('telemetry.meterProvider', 'getMeter() did not return an OpenTelemetry Meter');
  }
  return meter;
}

/** The tracer, or `undefined` when there is nowhere to send spans (no SDK registered). */
function tracerOf(
  api: OpenTelemetryApi,
  provider: TracerProviderLike | false | undefined,
): Tracer | undefined {
  if (provider === false) return undefined;
  if (provider === undefined) {
    // The global provider is a proxy; without an SDK behind it, every span would be a no-op.
    const global = api.trace.getTracerProvider() as Partial<
      InstanceType<OpenTelemetryApi['ProxyTracerProvider']>
    >;
    if (
      typeof global.getDelegateTracer === 'function' &&
      global.getDelegateTracer(TELEMETRY_SCOPE) === undefined
    ) {
      return undefined;
    }
  }
  const tracer = (provider ?? api.trace.getTracerProvider()).getTracer(TELEMETRY_SCOPE) as Tracer;
  if (typeof tracer?.startSpan !== 'function') {
    throw new AuthConfigError(
      'telemetry.tracerProvider',
      'getTracer() did not return an OpenTelemetry Tracer',
    );
  }
  return tracer;
}
