/** The gRPC load generator's summary of a run, fed directly: the same shape as autocannon's. */
import { describe, expect, it } from 'vitest';
import { summariseCalls } from '../src/grpc-load.js';

describe('summariseCalls', () => {
  it('reports a run without an OK answer as 0 calls/s and null percentiles', () => {
    const result = summariseCalls(new Map(), [], 0.3);
    expect(result).toMatchObject({ rps: 0, ok: 0, total: 0, p50: null, p99: null, statusCodes: {} });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(summariseCalls(new Map(), [], 0).rps).toBe(0);
  });

  it('counts OK as 2xx, DEADLINE_EXCEEDED as timeouts, UNAVAILABLE as errors, any other status as non-2xx', () => {
    const byStatus = new Map([
      [0, 4], // OK
      [16, 2], // UNAUTHENTICATED
      [4, 1], // DEADLINE_EXCEEDED
      [14, 3], // UNAVAILABLE
    ]);
    const result = summariseCalls(byStatus, [3.5, 1.25, 2, 10], 0.5);
    expect(result).toMatchObject({
      ok: 4,
      total: 10,
      non2xx: 2,
      timeouts: 1,
      errors: 3,
      p50: 3.5,
      p99: 10,
      statusCodes: { OK: 4, UNAUTHENTICATED: 2, DEADLINE_EXCEEDED: 1, UNAVAILABLE: 3 },
    });
    expect(result.rps).toBeCloseTo(8);
  });
});
