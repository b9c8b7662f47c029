import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Step } from '../src/scenario.js';
import { type AuthMode, type Shop, startShop } from '../src/shop.js';

// The whole shop, as `pnpm demo` runs it: real processes on free loopback ports, in both modes.
describe.each<AuthMode>(['self-signed', 'token-service'])('the shop demo, %s mode', (mode) => {
  let shop: Shop | undefined;
  let steps: Step[] = [];
  const step = (number: number): Step => {
    const found = steps.find((s) => s.number === number);
    if (found === undefined) throw new Error(`step ${number} did not run`);
    return found;
  };
  const outcome = (number: number) => step(number).calls.map((c) => [c.caller, c.callee, c.route, c.status]);

  beforeAll(async () => {
    shop = await startShop({ mode });
    steps = await runScenario(shop);
  });
  afterAll(async () => {
    await shop?.stop(); // also when a step failed: every process started is stopped
  });

  it('1: a user places an order, and orders calls inventory and payments with service tokens', () => {
    expect(outcome(1)).toEqual([
      ['alice', 'inventory', 'GET /items', 200],
      ['alice', 'orders', 'POST /orders', 201],
      ['orders', 'inventory', 'GET /items', 200],
      ['orders', 'inventory', 'POST /reservations', 201],
      ['orders', 'payments', 'POST /payments', 201],
      ['orders', 'shipping', 'gRPC CreateShipment', 0], // gRPC status OK
    ]);
    expect(step(1).calls.at(-1)?.transport).toBe('grpc');
    expect(step(1).ok).toBe(true);
  });

  it('2: payments may not reserve inventory: 403 caller not allowed', () => {
    expect(outcome(2)).toEqual([['payments', 'inventory', 'POST /reservations', 403]]);
    expect(step(2).calls[0]?.reason).toBe('caller_not_allowed: caller not allowed');
  });

  it('3: a user token sent to payments is refused as not a service token', () => {
    expect(outcome(3)).toEqual([['alice', 'payments', 'POST /payments', 401]]);
    expect(step(3).calls[0]?.reason).toBe('invalid_token_type: not a service token (invalid_token)');
  });

  it("4: orders' token for payments, replayed against inventory: 401 wrong audience", () => {
    expect(outcome(4)).toEqual([['eavesdropper', 'inventory', 'POST /reservations', 401]]);
    expect(step(4).calls[0]?.reason).toBe(
      'invalid_audience: token not meant for this service (invalid_token)',
    );
    expect(step(4).ok).toBe(true);
  });

  it('5: an expired token: 401 "token expired"', () => {
    expect(outcome(5)).toEqual([['alice', 'orders', 'POST /orders', 401]]);
    expect(step(5).calls[0]?.reason).toBe('token_expired: token expired (invalid_token)');
  });

  it('6: a token missing a permission: 403 insufficient_scope', () => {
    expect(outcome(6)).toEqual([['bob', 'orders', 'POST /orders', 403]]);
    expect(step(6).calls[0]?.reason).toBe(
      'insufficient_permission: missing permission orders:create (insufficient_scope)',
    );
  });

  it('7: the signing key rotates in the middle of traffic with no failed call', () => {
    expect(step(7).problems).toEqual([]);
    expect(step(7).notes.join('\n')).toMatch(/failed: 0/);
    expect(step(7).calls.every((c) => c.status === 200)).toBe(true);
  });

  it('8: over gRPC, a user token may track a shipment but not create one: PERMISSION_DENIED', () => {
    expect(outcome(8)).toEqual([
      ['alice', 'shipping', 'gRPC GetShipment', 0], // OK
      ['alice', 'shipping', 'gRPC CreateShipment', 7], // PERMISSION_DENIED
    ]);
    expect(step(8).calls[0]?.reason).toBe('shipment shp_1: label created');
    // The stable code and the challenge, from the trailing metadata.
    expect(step(8).calls[1]?.reason).toBe(
      'insufficient_permission: missing permission shipping:create (insufficient_scope)',
    );
    expect(step(8).ok).toBe(true);
  });

  it('every step behaved as expected', () => {
    expect(steps.map((s) => [s.number, s.ok, s.problems])).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, true, []]),
    );
  });

  it("logs the rejected calls as JSON lines through the verifier's audit hook", async () => {
    const rejectedCodes = (name: 'orders' | 'payments' | 'inventory' | 'shipping') =>
      (shop?.services[name]?.lines ?? [])
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; code?: string })
        .filter((entry) => entry.msg === 'call rejected')
        .map((entry) => entry.code);
    await expect.poll(() => rejectedCodes('inventory')).toEqual(['caller_not_allowed', 'invalid_audience']);
    await expect.poll(() => rejectedCodes('shipping')).toEqual(['insufficient_permission']);
    expect(rejectedCodes('payments')).toEqual(['invalid_token_type']);
    expect(rejectedCodes('orders')).toEqual(['token_expired', 'insufficient_permission']);
  });

  it('stops every process it started on SIGTERM', async () => {
    const children = Object.values(shop?.services ?? {}).map((service) => service.child);
    expect(children.length).toBe(mode === 'token-service' ? 5 : 4);
    await shop?.stop();
    for (const child of children) {
      expect(child.exitCode ?? child.signalCode).toBe(0); // graceful shutdown exits 0
      expect(() => process.kill(child.pid as number, 0)).toThrow();
    }
  });
});
