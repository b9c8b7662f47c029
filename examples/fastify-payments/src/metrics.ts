import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

// OpenTelemetry metrics in the Prometheus text format. The meter provider is registered when this
// module loads, before the service builds its verifier, which then records to it on its own
// (`telemetry` left at its default: the global providers).
const prometheus = new PrometheusExporter({ preventServerStart: true });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [prometheus] }));

/** Answers `GET /metrics` (unauthenticated, like `/healthz`; keep it off the public network). */
export function serveMetrics(request: IncomingMessage, response: ServerResponse): void {
  prometheus.getMetricsRequestHandler(request, response);
}
