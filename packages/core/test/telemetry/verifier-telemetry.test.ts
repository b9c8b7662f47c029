import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthConfigError, AuthError, type Verifier } from '../../src/index.js';
import { startJwksServer } from '../support/jwks-server.js';
import { createTelemetryHarness, recordedText, type TelemetryHarness } from '../support/telemetry.js';
import { bearer, codeOf, createFixture, type FixtureOptions, NOW } from '../support/verifier-fixture.js';

const ISSUER = 'https://orders.internal';
const ATTEMPTS = 'auth.authentication.attempts';
const DURATION = 'auth.authentication.duration';
const LOOKUPS = 'auth.token_cache.lookups';

let harness: TelemetryHarness;
beforeEach(() => {
  harness = createTelemetryHarness();
});
afterEach(async () => {
  await harness.shutdown();
  propagation.disable();
  context.disable();
});

const withTelemetry = (options: FixtureOptions = {}, telemetry: object = {}) =>
  createFixture({
    ...options,
    telemetry: { meterProvider: harness.meterProvider, tracerProvider: harness.tracerProvider, ...telemetry },
  });

describe('metrics of authentication', () => {
  it('counts outcomes with bounded attributes and times each one, cached or not', async () => {
    const { verifier, sign } = await withTelemetry();
    const token = await sign();
    await verifier.authenticate(bearer(token));
    expect(verifier.authenticateCached(bearer(token))).toBeDefined();
    await verifier.authenticate(bearer(token)); // a cache hit through the asynchronous path
    expect(await codeOf(verifier.authenticate(bearer(await sign({ exp: NOW - 60 }))))).toBe('token_expired');
    expect(await codeOf(verifier.authenticate(bearer(await sign({ iss: 'https://elsewhere' }))))).toBe(
      'invalid_issuer',
    );

    const accepted = {
      'auth.authentication.outcome': 'accepted',
      'auth.issuer': ISSUER,
      'auth.caller.kind': 'service',
    };
    expect(await harness.count(ATTEMPTS, accepted)).toBe(3);
    expect(await harness.count(ATTEMPTS, { 'error.type': 'token_expired', 'auth.issuer': ISSUER })).toBe(1);
    // An issuer nobody configured is never an attribute: attackers choose `iss`.
    const unknownIssuer = (await harness.points(ATTEMPTS)).find(
      (point) => point.attributes['error.type'] === 'invalid_issuer',
    );
    expect(unknownIssuer?.attributes).toEqual({
      'auth.authentication.outcome': 'rejected',
      'error.type': 'invalid_issuer',
    });
    expect(await harness.count(DURATION)).toBe(5);
    expect(await harness.count(DURATION, accepted)).toBe(3);
    const duration = (await harness.metrics()).get(DURATION) as HistogramMetricData;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints.every((point) => (point.value.max ?? 1) < 1)).toBe(true);
    // Three tokens looked up and not found (the expired one and the unknown issuer's too); two hits.
    expect(await harness.count(LOOKUPS, { 'auth.token_cache.result': 'miss' })).toBe(3);
    expect(await harness.count(LOOKUPS, { 'auth.token_cache.result': 'hit' })).toBe(2);
  });

  it('counts requests without credentials as none, and errors of custom checks by class only', async () => {
    const { verifier, sign } = await withTelemetry({
      checks: [
        () => {
          throw new RangeError('a message with SECRET-MARKER-check');
        },
      ],
    });
    expect(await verifier.authenticate({ headers: {} }, { optional: true })).toBeUndefined();
    await expect(verifier.authenticate(bearer(await sign()))).rejects.toThrow(RangeError);
    expect(await harness.count(ATTEMPTS, { 'auth.authentication.outcome': 'none' })).toBe(1);
    expect(
      await harness.count(ATTEMPTS, { 'auth.authentication.outcome': 'error', 'error.type': 'RangeError' }),
    ).toBe(1);
    expect(await recordedText(harness)).not.toContain('SECRET-MARKER');
  });

  it('names callers only when asked to', async () => {
    const plain = await withTelemetry();
    await plain.verifier.authenticate(bearer(await plain.sign()));
    expect(await harness.count(ATTEMPTS, { 'auth.caller.name': 'orders' })).toBe(0);
    const named = await withTelemetry({}, { recordCallerNames: true });
    await named.verifier.authenticate(bearer(await named.sign()));
    expect(await harness.count(ATTEMPTS, { 'auth.caller.name': 'orders' })).toBe(1);
    expect(harness.spans().at(-1)?.attributes['auth.caller.name']).toBe('orders');
  });

  it('keeps counting right past the 1000 attribute sets it remembers', async () => {
    const { verifier, sign } = await withTelemetry({}, { recordCallerNames: true });
    for (let i = 0; i < 1002; i++) await verifier.verify(await sign({ sub: `caller-${i}` }));
    await verifier.verify(await sign({ sub: 'caller-1001', jti: 'again' }));
    expect(await harness.count(ATTEMPTS, { 'auth.caller.name': 'caller-1001' })).toBe(2);
    expect(await harness.count(ATTEMPTS, { 'auth.caller.name': 'caller-0' })).toBe(1);
  });

  it('counts verify() like authenticate()', async () => {
    const { verifier, sign } = await withTelemetry();
    await verifier.verify(await sign());
    expect(await harness.count(ATTEMPTS, { 'auth.authentication.outcome': 'accepted' })).toBe(1);
    expect(harness.spans()).toHaveLength(1);
  });

  it('sends metrics only or spans only when the other provider is false', async () => {
    const metricsOnly = await withTelemetry({}, { tracerProvider: false });
    await metricsOnly.verifier.authenticate(bearer(await metricsOnly.sign()));
    expect(harness.spans()).toHaveLength(0);
    expect(await harness.count(ATTEMPTS)).toBe(1);
    const spansOnly = await withTelemetry({}, { meterProvider: false });
    await spansOnly.verifier.authenticate(bearer(await spansOnly.sign()));
    expect(harness.spans()).toHaveLength(1);
    expect(await harness.count(ATTEMPTS)).toBe(1);
  });
});

describe('metrics of key sets', () => {
  it('counts fetches by result and reports the age of each key set in use', async () => {
    const server = await startJwksServer();
    const fixture = await createFixture();
    server.setKeys([fixture.jwk]);
    const clock = { now: NOW * 1000 };
    const build = (jwksUri: string) =>
      fixture.with({
        issuers: [{ issuer: ISSUER, jwksUri }],
        now: () => clock.now,
        telemetry: { meterProvider: harness.meterProvider, tracerProvider: false },
      });
    const verifiers: Verifier[] = [];
    try {
      const verifier = build(server.jwksUri);
      verifiers.push(verifier);
      await verifier.ready();
      clock.now += 42_000;
      expect(
        await harness.count('auth.key_set.fetches', {
          'auth.issuer': ISSUER,
          'auth.key_set.fetch.result': 'success',
        }),
      ).toBe(1);
      const [age] = await harness.points('auth.key_set.age');
      expect(age?.value).toBe(42);
      expect(age?.attributes).toEqual({ 'auth.issuer': ISSUER });

      const broken = build(server.url('/missing'));
      verifiers.push(broken);
      expect(await codeOf(broken.ready())).toBe('keys_unavailable');
      expect(await harness.count('auth.key_set.fetches', { 'auth.key_set.fetch.result': 'failure' })).toBe(1);
      // A key set never fetched has no age; a closed verifier stops reporting its own.
      verifier.close();
      clock.now += 10_000;
      expect((await harness.points('auth.key_set.age')).map((point) => point.value)).toEqual([42]);
    } finally {
      for (const verifier of verifiers) verifier.close();
      await server.close();
    }
  });
});

describe('metrics of signature checks', () => {
  it('counts the signatures checked on the event loop and on the thread pool, until closed', async () => {
    const { verifier, sign } = await withTelemetry({ cache: false });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => sign()));
    await verifier.verify(tokens[0] as string); // one at a time: on the event loop
    // Four at once: all four are in flight before the first signature is checked.
    await Promise.all(tokens.slice(1).map((token) => verifier.verify(token)));
    const checks = 'auth.signature.checks';
    expect(await harness.count(checks, { 'auth.signature.where': 'event_loop' })).toBe(1);
    expect(await harness.count(checks, { 'auth.signature.where': 'thread_pool' })).toBe(4);
    expect(verifier.health().signatures).toEqual({ eventLoop: 1, threadPool: 4, inFlight: 0 });
    // A closed verifier is no longer observed: what it checks afterwards is not reported.
    verifier.close();
    await verifier.verify(await sign());
    expect(await harness.count(checks, { 'auth.signature.where': 'event_loop' })).toBe(1);
    expect(verifier.health().signatures.eventLoop).toBe(2);
  });
});

describe('spans', () => {
  it('makes one span per authentication, ERROR with the code on rejection, nothing secret', async () => {
    const { verifier, sign } = await withTelemetry();
    const token = await sign({ jti: 'SECRET-MARKER-jti' });
    await verifier.authenticate(bearer(token));
    verifier.authenticateCached(bearer(token));
    await codeOf(
      verifier.authenticate(bearer(await sign({ aud: 'SECRET-MARKER-aud', jti: 'SECRET-MARKER-2' }))),
    );
    const spans = harness.spans();
    expect(spans.map((span) => span.name)).toEqual([
      'auth.authenticate',
      'auth.authenticate',
      'auth.authenticate',
    ]);
    expect(spans[0]?.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans[0]?.attributes).toEqual({
      'auth.authentication.outcome': 'accepted',
      'auth.issuer': ISSUER,
      'auth.caller.kind': 'service',
    });
    expect(spans[2]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'invalid_audience' });
    expect(spans[2]?.attributes['error.type']).toBe('invalid_audience');
    const text = await recordedText(harness);
    expect(text).not.toContain('SECRET-MARKER');
    expect(text).not.toContain(token.split('.')[1]);
  });

  it('joins the trace of an incoming traceparent when no span is active', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const { verifier, sign } = await withTelemetry();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const traceparent = `00-${traceId}-b7ad6b7169203331-01`;
    const token = await sign();
    await verifier.authenticate({ headers: { authorization: `Bearer ${token}`, traceparent } });
    verifier.authenticateCached({ headers: { authorization: `Bearer ${token}`, traceparent } });
    for (const span of harness.spans()) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    }
    expect(harness.spans()).toHaveLength(2);
  });

  it('is a child of the active span (the HTTP instrumentation’s), which it leaves active inside', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const seen: (string | undefined)[] = [];
    const { verifier, sign } = await withTelemetry({
      checks: [() => void seen.push(trace.getActiveSpan()?.spanContext().spanId)],
    });
    const server = harness.tracerProvider.getTracer('http').startSpan('GET /payments');
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const token = await sign();
    await context.with(trace.setSpan(context.active(), server), () =>
      verifier.authenticate({ headers: { authorization: `Bearer ${token}`, traceparent } }),
    );
    server.end();
    const [auth] = harness.spans();
    expect(auth?.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(auth?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(seen).toEqual([auth?.spanContext().spanId]);
  });
});

describe('the telemetry option', () => {
  it('refuses malformed values at construction, saying what to pass', async () => {
    const fixture = await createFixture();
    const build = (telemetry: unknown) => () => fixture.with({ telemetry: telemetry as never });
    expect(build('yes')).toThrow(AuthConfigError);
    expect(build('yes')).toThrow(/^telemetry: expected true, false or \{ meterProvider\?/);
    expect(build({ meterProvider: {} })).toThrow(
      /^telemetry\.meterProvider: expected an OpenTelemetry MeterProvider \(an object with getMeter\(\)/,
    );
    expect(build({ tracerProvider: 5 })).toThrow(
      /^telemetry\.tracerProvider: expected an OpenTelemetry TracerProvider/,
    );
    expect(build({ meterProvider: { getMeter: () => ({}) } })).toThrow(
      /^telemetry\.meterProvider: getMeter\(\) did not return an OpenTelemetry Meter/,
    );
    expect(build({ tracerProvider: { getTracer: () => undefined } })).toThrow(/getTracer\(\) did not return/);
    expect(build({ recordCallerNames: 'yes' })).toThrow(
      /^telemetry\.recordCallerNames: expected true or false/,
    );
    expect(build({ meterprovider: harness.meterProvider })).toThrow(/did you mean meterProvider\?/);
    expect(() => fixture.with({ telemetry: false })).not.toThrow();
  });

  it('never lets a failing meter or tracer change a decision', async () => {
    const throwing = () => {
      throw new Error('exporter down');
    };
    const meter = harness.meterProvider.getMeter('x');
    const { verifier, sign } = await createFixture({
      telemetry: {
        meterProvider: {
          getMeter: () => ({
            ...meter,
            createCounter: () => ({ add: throwing }),
            createHistogram: () => ({ record: throwing }),
            createObservableGauge: meter.createObservableGauge.bind(meter),
            createObservableCounter: meter.createObservableCounter.bind(meter),
          }),
        },
        tracerProvider: { getTracer: () => ({ startSpan: throwing, startActiveSpan: throwing }) },
      },
    });
    const token = await sign();
    await expect(verifier.authenticate(bearer(token))).resolves.toMatchObject({ caller: 'orders' });
    expect(verifier.authenticateCached(bearer(token))).toBeDefined();
    expect(await codeOf(verifier.authenticate(bearer(await sign({ exp: NOW - 60 }))))).toBe('token_expired');
  });

  it('passes AuthErrors through untouched', async () => {
    const { verifier, sign } = await withTelemetry();
    const error = await verifier.authenticate(bearer(await sign({ exp: NOW - 60 }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'token_expired', status: 401 });
  });
});
