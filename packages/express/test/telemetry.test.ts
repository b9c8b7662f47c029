/**
 * OpenTelemetry through a real Express server: the real SDK (metrics kept in memory, spans in an
 * in-memory exporter), a real JWKS server on loopback, real HTTP requests.
 */
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Attributes, propagation, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthEvent, requirePermission, serviceAuth } from '../src/index.js';

const ISSUER = 'https://orders.internal';
const MARKER = `SECRET-MARKER-${randomUUID()}`;

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const close = (server: Server) => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
};

/** An ES256 JWT signed with node:crypto (the adapters do not depend on jose). */
function mint(key: KeyObject, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = {
    iss: ISSUER,
    sub: 'orders',
    aud: 'payments',
    source: 'microservice',
    iat: now,
    exp: now + 300,
    permissions: ['payments:read'],
    ...claims,
  };
  const input = `${encode({ alg: 'ES256', kid: 'k1', typ: 'JWT' })}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

describe('OpenTelemetry through Express over real HTTP', () => {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  const jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  let app: Server;
  let url: string;
  // What else the service is told: audit events and log lines.
  const events: AuthEvent[] = [];
  const logs: string[] = [];
  const line = (fields: object, message: string) => void logs.push(`${message} ${JSON.stringify(fields)}`);

  beforeAll(async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const jwksUri = `${await listen(jwksServer)}/jwks.json`;
    const api = express();
    api.use(
      serviceAuth({
        issuers: [{ issuer: ISSUER, jwksUri }],
        audience: 'payments',
        telemetry: { meterProvider, tracerProvider },
        onEvent: (event) => events.push(event),
        logger: { warn: line, info: line, debug: line },
      }),
    );
    api.get('/payments', requirePermission('payments:read'), (_req, res) => void res.json({ ok: true }));
    app = createServer(api);
    url = await listen(app);
  });

  afterAll(async () => {
    propagation.disable();
    await close(app);
    await close(jwksServer);
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  });

  const call = (token: string | undefined, headers: Record<string, string> = {}) =>
    fetch(`${url}/payments`, {
      headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    });

  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    const points = new Map<string, DataPoint<unknown>[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) points.set(metric.descriptor.name, metric.dataPoints);
    }
    return points;
  };
  const sum = (points: DataPoint<unknown>[] | undefined, attributes: Attributes) =>
    (points ?? [])
      .filter((point) =>
        Object.entries(attributes).every(([name, value]) => point.attributes[name] === value),
      )
      .reduce(
        (total, point) =>
          total + (typeof point.value === 'number' ? point.value : (point.value as Histogram).count),
        0,
      );

  it('counts outcomes and key fetches, times each request and makes one span per request', async () => {
    const token = mint(privateKey, { jti: MARKER, note: MARKER });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const responses = [
      await call(token, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }),
      await call(token), // the same token again: the cached path
      await call(token),
      await call(mint(privateKey, { exp: Math.floor(Date.now() / 1000) - 60, jti: MARKER })),
      await call(undefined),
      await call(`${token.slice(0, -4)}AAAA`), // a forged signature
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 401, 401, 401]);

    const points = await collect();
    const attempts = points.get('auth.authentication.attempts');
    const accepted = {
      'auth.authentication.outcome': 'accepted',
      'auth.issuer': ISSUER,
      'auth.caller.kind': 'service',
    };
    expect(sum(attempts, accepted)).toBe(3);
    expect(sum(attempts, { 'auth.authentication.outcome': 'rejected' })).toBe(3);
    expect(sum(attempts, { 'error.type': 'token_expired', 'auth.issuer': ISSUER })).toBe(1);
    expect(sum(attempts, { 'error.type': 'missing_token' })).toBe(1);
    expect(sum(attempts, { 'error.type': 'invalid_signature', 'auth.issuer': ISSUER })).toBe(1);
    expect(sum(points.get('auth.authentication.duration'), {})).toBe(6);
    expect(sum(points.get('auth.authentication.duration'), accepted)).toBe(3);
    expect(
      sum(points.get('auth.key_set.fetches'), {
        'auth.issuer': ISSUER,
        'auth.key_set.fetch.result': 'success',
      }),
    ).toBe(1);
    expect(sum(points.get('auth.token_cache.lookups'), { 'auth.token_cache.result': 'hit' })).toBe(2);
    expect(points.get('auth.key_set.age')?.[0]?.attributes).toEqual({ 'auth.issuer': ISSUER });

    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'auth.authenticate');
    expect(spans).toHaveLength(6);
    expect(spans[0]?.spanContext().traceId).toBe(traceId);
    expect(spans[0]?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(spans.slice(1).every((span) => span.spanContext().traceId !== traceId)).toBe(true);
    expect(spans.map((span) => span.status.code)).toEqual([
      SpanStatusCode.UNSET,
      SpanStatusCode.UNSET,
      SpanStatusCode.UNSET,
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
    ]);
    expect(spans[3]?.status.message).toBe('token_expired');
    expect(spans[3]?.attributes['error.type']).toBe('token_expired');
  });

  it('records nothing secret: no token, claim, key or marker in any metric or span', async () => {
    await call(mint(privateKey, { jti: MARKER, scope: MARKER, sub: 'orders' }));
    await call(mint(privateKey, { aud: MARKER, jti: MARKER }));
    await call(MARKER);
    const texts: string[] = [];
    for (const points of (await collect()).values()) {
      for (const point of points) texts.push(JSON.stringify(point.attributes));
    }
    for (const span of exporter.getFinishedSpans()) {
      texts.push(
        span.name,
        JSON.stringify(span.attributes),
        JSON.stringify(span.status),
        JSON.stringify(span.events),
      );
    }
    const recorded = texts.join('\n');
    expect(recorded).toContain('auth.authentication.outcome'); // it did record
    expect(recorded).not.toContain('SECRET-MARKER');
    expect(recorded).not.toContain(jwks.keys[0]?.x as string);
    expect(recorded).not.toContain(privateKey.export({ format: 'jwk' }).d as string);
    expect(recorded).not.toContain('Bearer');
    expect(recorded).not.toMatch(/eyJ/); // no base64url JSON: no token or token part
  });

  it('says nothing secret in events, log lines or responses: no token, signature, key or private claim', async () => {
    // Issuer, audience, kid, alg, times and jti are documented as safe to log; a private claim, a
    // scope, the token, its signature and the key are not.
    const hidden = `HIDDEN-${randomUUID()}`;
    const good = mint(privateKey, { note: hidden, scope: hidden });
    const tokens = [
      good,
      mint(privateKey, { note: hidden, aud: 'inventory' }),
      mint(privateKey, { note: hidden, exp: Math.floor(Date.now() / 1000) - 60 }),
      mint(privateKey, { note: hidden, iss: 'https://elsewhere.internal' }),
      `${good.slice(0, -4)}AAAA`,
      `${hidden}.${hidden}.${hidden}`,
    ];
    events.length = 0;
    logs.length = 0;
    const answers: string[] = [];
    for (const token of tokens) {
      const response = await call(token);
      answers.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
    }
    expect(answers.map((answer) => Number(answer.slice(0, 3)))).toEqual([200, 401, 401, 401, 401, 401]);
    expect(events.length).toBeGreaterThanOrEqual(6);
    expect(logs.some((text) => text.startsWith('untrusted issuer'))).toBe(true);
    const told = JSON.stringify({ events, logs, answers });
    expect(told).not.toContain(hidden);
    for (const token of tokens) {
      expect(told).not.toContain(token);
      expect(told).not.toContain(token.split('.')[2]);
    }
    expect(told).not.toMatch(/eyJ/);
    expect(told).not.toContain(privateKey.export({ format: 'jwk' }).d as string);
  });
});
