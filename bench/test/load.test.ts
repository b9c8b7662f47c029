/** The load generator's summary of a run, fed directly: percentiles of no responses are missing. */
import { describe, expect, it } from 'vitest';
import { type LoadTotals, percentile, summarise } from '../src/load.js';

function totals(ok: number, duration = 0.3): LoadTotals {
  return {
    '2xx': ok,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    duration,
    statusCodeStats: ok ? { '200': { count: ok } } : {},
    requests: { total: ok },
  };
}

describe('percentile', () => {
  it('is null for no samples', () => {
    expect(percentile(new Float64Array(0), 50)).toBeNull();
    expect(percentile(new Float64Array(0), 99)).toBeNull();
  });

  it('is the nearest rank of the sorted samples', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(51);
    expect(percentile(sorted, 99)).toBe(100);
    expect(percentile(Float64Array.of(7), 99)).toBe(7);
  });
});

describe('summarise', () => {
  it('reports a run without a successful response as 0 req/s and null percentiles', () => {
    const result = summarise(totals(0), []);
    expect(result).toMatchObject({ rps: 0, ok: 0, p50: null, p99: null, statusCodes: {} });
    // What the orchestrator receives over IPC (JSON): the same, with explicit nulls.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('has no rate for a run that lasted no time', () => {
    expect(summarise(totals(0, 0), []).rps).toBe(0);
  });

  it('summarises the recorded latencies, sorted', () => {
    const result = summarise(totals(4), [3.5, 1.25, 2, 10]);
    expect(result).toMatchObject({ ok: 4, p50: 3.5, p99: 10, statusCodes: { '200': 4 } });
    expect(result.rps).toBeCloseTo(4 / 0.3);
  });
});
