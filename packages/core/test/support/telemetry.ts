import type { Attributes } from '@opentelemetry/api';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A reader that collects on demand, for tests. */
class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** The real OpenTelemetry SDK, with metrics and spans kept in memory. */
export interface TelemetryHarness {
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: BasicTracerProvider;
  /** Every metric collected now, by name. */
  metrics(): Promise<Map<string, MetricData>>;
  /** The data points of one metric collected now (none when it was never recorded). */
  points(name: string): Promise<DataPoint<unknown>[]>;
  /** The sum of a counter's points whose attributes include `attributes`. */
  count(name: string, attributes?: Attributes): Promise<number>;
  /** Ended spans. */
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function createTelemetryHarness(): TelemetryHarness {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const metrics = async () => {
    const { resourceMetrics } = await reader.collect();
    const found = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) found.set(metric.descriptor.name, metric);
    }
    return found;
  };
  const points = async (name: string) =>
    ((await metrics()).get(name)?.dataPoints ?? []) as DataPoint<unknown>[];
  return {
    meterProvider,
    tracerProvider,
    metrics,
    points,
    async count(name, attributes = {}) {
      let sum = 0;
      for (const point of await points(name)) {
        if (includes(point.attributes, attributes)) sum += countOf(point.value);
      }
      return sum;
    },
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

function includes(actual: Attributes, expected: Attributes): boolean {
  return Object.entries(expected).every(([name, value]) => actual[name] === value);
}

/** A counter's value, or a histogram's count. */
function countOf(value: unknown): number {
  return typeof value === 'number' ? value : (value as Histogram).count;
}

/** Every string a metric attribute or a span (name, attributes, status, events) carries. */
export async function recordedText(harness: TelemetryHarness): Promise<string> {
  const texts: string[] = [];
  for (const metric of (await harness.metrics()).values()) {
    for (const point of metric.dataPoints) texts.push(JSON.stringify(point.attributes));
  }
  for (const span of harness.spans()) {
    texts.push(span.name, JSON.stringify(span.attributes), JSON.stringify(span.status));
    texts.push(
      JSON.stringify(span.events),
      JSON.stringify(span.links),
      JSON.stringify(span.resource.attributes),
    );
  }
  return texts.join('\n');
}
