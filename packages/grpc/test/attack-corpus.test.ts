import { Metadata, status } from '@grpc/grpc-js';
import {
  type AttackEnvironment,
  attackCases,
  createAttackEnvironment,
} from '@org/auth-testing/attack-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcStatusOf, serviceAuth } from '../src/index.js';
import { type RunningServer, rawUnaryCall, startServer } from './harness.js';
import { ordersImplementation } from './orders-service.js';

/**
 * Where gRPC answers differently from HTTP, and why; still refused, never OK. grpc-js drops a
 * metadata value with a character outside printable ASCII (a tab) before any handler sees the
 * call, so the call arrives without credentials.
 */
const TRANSPORT_DIFFERENCES: Readonly<Record<string, { code: status; authCode: string }>> = {
  'whitespace-tab': { code: status.UNAUTHENTICATED, authCode: 'missing_token' },
};

function sendable(value: string): boolean {
  try {
    new Metadata().set('authorization', value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The attack corpus through the gRPC path: each hostile token gets the core's answer, mapped to
 * its gRPC status with the same stable code in the trailers; none is ever OK unless the corpus
 * documents an acceptance.
 */
describe('attack corpus over gRPC', () => {
  let env: AttackEnvironment;
  let server: RunningServer;
  beforeAll(async () => {
    env = await createAttackEnvironment();
    server = await startServer(serviceAuth(env.options).protect(ordersImplementation()));
  });
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  it.each(attackCases)('$id', async (attack) => {
    const authorization = `Bearer ${attack.token(env)}`;
    const client = server.client();
    // The grpc-js client refuses some values (a tab): send those over plain HTTP/2, as others could.
    const outcome = sendable(authorization)
      ? await client.call('CreateOrder', client.metadata({ authorization }))
      : await rawUnaryCall(server.address, { authorization });
    const expected =
      TRANSPORT_DIFFERENCES[attack.id] ??
      (attack.expect.status === 200
        ? { code: status.OK, authCode: undefined }
        : { code: grpcStatusOf(attack.expect.status), authCode: attack.expect.code });
    expect({ code: outcome.code, authCode: outcome.authCode }).toEqual(expected);
    if (attack.expect.status !== 200)
      expect([status.UNAUTHENTICATED, status.INVALID_ARGUMENT, status.PERMISSION_DENIED]).toContain(
        outcome.code,
      );
  });

  it("never asked the attacker's server for anything (jku, x5u and kid URLs are not fetched)", () => {
    expect(env.attackerHits()).toBe(0);
  });
});
