import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCounts, sumSamples } from '../src/metrics.js';
import { runScenario } from '../src/scenario.js';
import { type Shop, startShop } from '../src/shop.js';

describe('sumSamples', () => {
  const text = [
    '# HELP auth_authentication_attempts_total Authentication attempts, by outcome',
    '# TYPE auth_authentication_attempts_total counter',
    'auth_authentication_attempts_total{auth_authentication_outcome="accepted",auth_issuer="orders"} 3',
    'auth_authentication_attempts_total{auth_authentication_outcome="accepted",auth_issuer="login"} 2',
    'auth_authentication_attempts_total{auth_authentication_outcome="rejected",error_type="token_expired"} 1',
    'auth_authentication_attempts_total_other 7',
  ].join('\n');

  it('adds up the samples of one metric whose labels match', () => {
    expect(sumSamples(text, 'auth_authentication_attempts_total')).toBe(6);
    expect(
      sumSamples(text, 'auth_authentication_attempts_total', ['auth_authentication_outcome="accepted"']),
    ).toBe(5);
    expect(sumSamples(text, 'auth_key_set_fetches_total')).toBe(0);
  });
});

// The services expose their verifiers' OpenTelemetry metrics on GET /metrics.
describe('the shop services’ /metrics', () => {
  let shop: Shop | undefined;
  beforeAll(async () => {
    shop = await startShop({ mode: 'self-signed' });
    await runScenario(shop);
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('counts accepted and rejected calls, cache hits and key fetches in every service', async () => {
    for (const name of ['orders', 'payments', 'inventory'] as const) {
      const counts = await authCounts(shop?.url(name) ?? '');
      expect(counts, name).toBeDefined();
      expect(counts?.accepted, name).toBeGreaterThan(0);
      expect(counts?.rejected, name).toBeGreaterThan(0);
      expect(counts?.cacheHits, name).toBeGreaterThan(0);
      expect(counts?.keyFetches, name).toBeGreaterThan(0);
    }
    // Shipping (gRPC) refuses only by a guard (step 8), which is not an authentication failure.
    const shipping = await authCounts(shop?.url('shipping') ?? '');
    expect(shipping?.accepted).toBeGreaterThan(0);
    expect(shipping?.cacheHits).toBeGreaterThan(0);
    expect(shipping?.keyFetches).toBeGreaterThan(0);
  });
});
