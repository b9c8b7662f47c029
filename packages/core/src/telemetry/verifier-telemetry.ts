import { performance } from 'node:perf_hooks';
import type {
  Attributes,
  Context,
  Counter,
  Histogram,
  Meter,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  Span,
  SpanOptions,
  Tracer,
} from '@opentelemetry/api';
import { isAuthError } from '../errors.js';
import type { AuthEvent, AuthEventListener } from '../events.js';
import type { OpenTelemetryApi } from './load-api.js';
import type { KeySetHealth, Telemetry, TelemetryCarrier, TelemetryIdentity } from './telemetry.js';

/** The instrumentation scope: meter and tracer name. */
export const TELEMETRY_SCOPE = '@org/auth-core';

/** Metric, span and attribute names (see the README's "Metrics and traces"). */
export const TELEMETRY_NAMES = Object.freeze({
  attempts: 'auth.authentication.attempts',
  duration: 'auth.authentication.duration',
  cacheLookups: 'auth.token_cache.lookups',
  keyFetches: 'auth.key_set.fetches',
  keyAge: 'auth.key_set.age',
  signatureChecks: 'auth.signature.checks',
  span: 'auth.authenticate',
});

const OUTCOME = 'auth.authentication.outcome';
const ISSUER = 'auth.issuer';
const CALLER_KIND = 'auth.caller.kind';
const CALLER_NAME = 'auth.caller.name';
const ERROR_TYPE = 'error.type';
const CACHE_RESULT = 'auth.token_cache.result';
const FETCH_RESULT = 'auth.key_set.fetch.result';
const ON_EVENT_LOOP: Attributes = Object.freeze({ 'auth.signature.where': 'event_loop' });
const ON_THREAD_POOL: Attributes = Object.freeze({ 'auth.signature.where': 'thread_pool' });

// From a few microseconds (a cached token) to seconds (a key fetch that times out).
const DURATION_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5, 5, 10,
];

const MAX_REMEMBERED_ATTRIBUTES = 1000;
const NO_CREDENTIALS: Attributes = Object.freeze({ [OUTCOME]: 'none' });
const CACHE_HIT: Attributes = Object.freeze({ [CACHE_RESULT]: 'hit' });
const CACHE_MISS: Attributes = Object.freeze({ [CACHE_RESULT]: 'miss' });

/** The instruments and tracer a verifier records to; built only when OpenTelemetry is there. */
export interface TelemetrySetup {
  readonly api: OpenTelemetryApi;
  readonly meter: Meter | undefined;
  readonly tracer: Tracer | undefined;
  readonly recordCallerNames: boolean;
  /** The verifier's clock, in milliseconds since the epoch (for the key-set age). */
  readonly now: () => number;
}

/**
 * A verifier's metrics and spans through `@opentelemetry/api` (see {@link Telemetry}). Recording
 * never throws into a request: a failing meter or tracer is ignored.
 */
export class VerifierTelemetry implements Telemetry {
  readonly #api: OpenTelemetryApi;
  readonly #tracer: Tracer | undefined;
  readonly #recordCallerNames: boolean;
  readonly #now: () => number;
  readonly #attempts: Counter | undefined;
  readonly #duration: Histogram | undefined;
  readonly #cacheLookups: Counter | undefined;
  readonly #keyFetches: Counter | undefined;
  readonly #keyAge: ObservableGauge | undefined;
  readonly #signatureChecks: ObservableCounter | undefined;
  #observeKeys: ObservableCallback | undefined;
  #observeSignatures: ObservableCallback | undefined;
  /**
   * Attributes of accepted requests by issuer, kind and caller (when names are recorded), built
   * once each: an accepted request allocates nothing for its attributes.
   */
  readonly #accepted = new Map<string, Map<string, Map<string, Attributes>>>();
  #acceptedSize = 0;
  /**
   * Who each rejection was for, noted when the verifier rejected (see {@link rejected}). Only
   * rejections get an entry, and only with telemetry on; the entry dies with its error.
   */
  readonly #rejected = new WeakMap<object, TelemetryIdentity>();

  constructor(setup: TelemetrySetup) {
    this.#api = setup.api;
    this.#tracer = setup.tracer;
    this.#recordCallerNames = setup.recordCallerNames;
    this.#now = setup.now;
    const { meter } = setup;
    if (meter === undefined) return;
    this.#attempts = meter.createCounter(TELEMETRY_NAMES.attempts, {
      description: 'Authentication attempts, by outcome',
      unit: '{attempt}',
    });
    this.#duration = meter.createHistogram(TELEMETRY_NAMES.duration, {
      description: 'Duration of authentication, from the request to the decision',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#cacheLookups = meter.createCounter(TELEMETRY_NAMES.cacheLookups, {
      description: 'Lookups of verified tokens in the verifier cache, by result',
      unit: '{lookup}',
    });
    this.#keyFetches = meter.createCounter(TELEMETRY_NAMES.keyFetches, {
      description: 'Fetches of an issuer key set (JWKS), by result',
      unit: '{fetch}',
    });
    this.#keyAge = meter.createObservableGauge(TELEMETRY_NAMES.keyAge, {
      description: 'Time since the key set in use was fetched',
      unit: 's',
    });
    this.#signatureChecks = meter.createObservableCounter(TELEMETRY_NAMES.signatureChecks, {
      description: 'Signatures of fresh tokens checked, by where: on the event loop or on the thread pool',
      unit: '{check}',
    });
  }

  /**
   * Starts reporting the age of each fetched key set and the signatures checked on the event loop
   * and on the thread pool, read from `health()` when collected.
   */
  observeHealth(health: () => KeySetHealth): void {
    if (this.#signatureChecks !== undefined) {
      this.#observeSignatures = (result) => {
        const { eventLoop, threadPool } = health().signatures;
        result.observe(eventLoop, ON_EVENT_LOOP);
        result.observe(threadPool, ON_THREAD_POOL);
      };
      this.#signatureChecks.addCallback(this.#observeSignatures);
    }
    if (this.#keyAge === undefined) return;
    this.#observeKeys = (result) => {
      const now = this.#now();
      for (const issuer of health().issuers) {
        if (issuer.fetchedAt === undefined) continue;
        result.observe(Math.max(0, now - issuer.fetchedAt) / 1000, { [ISSUER]: issuer.issuer });
      }
    };
    this.#keyAge.addCallback(this.#observeKeys);
  }

  /** Stops the observed instruments (the verifier is closed). */
  close(): void {
    if (this.#observeKeys !== undefined) this.#keyAge?.removeCallback(this.#observeKeys);
    if (this.#observeSignatures !== undefined) this.#signatureChecks?.removeCallback(this.#observeSignatures);
    this.#observeKeys = undefined;
    this.#observeSignatures = undefined;
  }

  /** `emit`, also counting key-set fetches. */
  keyEvents(emit: AuthEventListener): AuthEventListener {
    const fetches = this.#keyFetches;
    if (fetches === undefined) return emit;
    return (event: AuthEvent) => {
      if (event.type === 'keys_refreshed' || event.type === 'keys_fetch_failed') {
        const result = event.type === 'keys_refreshed' ? 'success' : 'failure';
        this.#safely(() => fetches.add(1, { [ISSUER]: event.issuer, [FETCH_RESULT]: result }));
      }
      emit(event);
    };
  }

  /** A lookup in the verified-token cache. */
  cacheLookup(hit: boolean): void {
    try {
      this.#cacheLookups?.add(1, hit ? CACHE_HIT : CACHE_MISS);
    } catch {
      // Telemetry never changes an authentication decision.
    }
  }

  /** Notes who `error`, a rejection the verifier is about to throw, was for. */
  rejected(error: unknown, identity: TelemetryIdentity): void {
    if (typeof error === 'object' && error !== null) this.#rejected.set(error, identity);
  }

  /** The clock of durations: a `performance.now()` timestamp, in milliseconds. */
  clock(): number {
    return performance.now();
  }

  /**
   * Runs one authentication in a span of its own, child of the incoming trace, and records its
   * outcome and duration.
   */
  async authenticate<T extends TelemetryIdentity>(
    carrier: TelemetryCarrier | undefined,
    run: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const started = performance.now();
    const span = this.#startSpan(carrier, started);
    try {
      const result = await (span === undefined
        ? run()
        : this.#api.context.with(this.#api.trace.setSpan(this.#api.context.active(), span), run));
      this.#record(started, span, result === undefined ? NO_CREDENTIALS : this.#acceptedAttributes(result));
      return result;
    } catch (error) {
      this.#record(started, span, this.#failureAttributes(error), true);
      throw error;
    }
  }

  /** Records a request answered from the cache without awaiting anything, started at `started`. */
  acceptedCached(carrier: TelemetryCarrier, identity: TelemetryIdentity, started: number): void {
    this.cacheLookup(true);
    this.#record(started, this.#startSpan(carrier, started), this.#acceptedAttributes(identity));
  }

  #startSpan(carrier: TelemetryCarrier | undefined, started: number): Span | undefined {
    const tracer = this.#tracer;
    if (tracer === undefined) return undefined;
    try {
      const options: SpanOptions = { kind: this.#api.SpanKind.INTERNAL, startTime: started };
      return tracer.startSpan(TELEMETRY_NAMES.span, options, this.#parent(carrier));
    } catch {
      return undefined;
    }
  }

  /**
   * The active context, which HTTP instrumentation sets to the request's span; without an active
   * span, the trace the request's headers carry (W3C `traceparent`, through the propagator the
   * application registered).
   */
  #parent(carrier: TelemetryCarrier | undefined): Context {
    const { context, propagation, trace } = this.#api;
    const active = context.active();
    const headers = carrier?.headers;
    if (headers === undefined || trace.getSpanContext(active) !== undefined) return active;
    return propagation.extract(active, headers);
  }

  #record(started: number, span: Span | undefined, attributes: Attributes, failed = false): void {
    const ended = performance.now();
    try {
      this.#attempts?.add(1, attributes);
      this.#duration?.record((ended - started) / 1000, attributes);
      if (span === undefined) return;
      span.setAttributes(attributes);
      if (failed) {
        // The code only: messages of errors that are not AuthErrors may say anything.
        span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: String(attributes[ERROR_TYPE]) });
      }
      span.end(ended);
    } catch {
      // Telemetry never changes an authentication decision.
    }
  }

  #acceptedAttributes(identity: TelemetryIdentity): Attributes {
    const issuer = identity.issuer ?? '';
    const kind = identity.kind ?? '';
    const caller = this.#recordCallerNames ? (identity.caller ?? '') : '';
    const known = this.#accepted.get(issuer)?.get(kind)?.get(caller);
    if (known !== undefined) return known;
    const attributes = this.#identityAttributes('accepted', identity);
    // Bounded: past this many combinations (caller names are unbounded), build them each time.
    if (this.#acceptedSize < MAX_REMEMBERED_ATTRIBUTES) {
      this.#acceptedSize++;
      let byKind = this.#accepted.get(issuer);
      if (byKind === undefined) {
        byKind = new Map();
        this.#accepted.set(issuer, byKind);
      }
      let byCaller = byKind.get(kind);
      if (byCaller === undefined) {
        byCaller = new Map();
        byKind.set(kind, byCaller);
      }
      byCaller.set(caller, attributes);
    }
    return attributes;
  }

  #failureAttributes(error: unknown): Attributes {
    if (!isAuthError(error)) {
      // A custom check's own error or a bug: its class, never its message.
      const type = error instanceof Error ? error.name : '_OTHER';
      return { [OUTCOME]: 'error', [ERROR_TYPE]: type };
    }
    const identity = this.#rejected.get(error) ?? {};
    this.#rejected.delete(error);
    return { ...this.#identityAttributes('rejected', identity), [ERROR_TYPE]: error.code };
  }

  /** Bounded attributes: the outcome, the issuer (a configured one), the kind; caller names on request. */
  #identityAttributes(outcome: string, identity: TelemetryIdentity): Attributes {
    const attributes: Attributes = { [OUTCOME]: outcome };
    if (identity.issuer !== undefined) attributes[ISSUER] = identity.issuer;
    if (identity.kind !== undefined) attributes[CALLER_KIND] = identity.kind;
    if (this.#recordCallerNames && identity.caller !== undefined) attributes[CALLER_NAME] = identity.caller;
    return Object.freeze(attributes);
  }

  #safely(record: () => void): void {
    try {
      record();
    } catch {
      // Telemetry never changes an authentication decision.
    }
  }
}
