import { appSpec, concerns, createKit, type Expectation, type Kit } from '@org/auth-conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallTls, type GrpcApp, notOverGrpc, startGrpcApp } from './grpc-target.js';
import { SEES_CERTIFICATES } from './harness.js';

/**
 * The conformance scenarios that make sense over gRPC, against the same app as the HTTP adapters
 * (see `grpc-target.ts`): the same status (through `GRPC_STATUS_OF_HTTP`), the same challenge, the
 * same code and description, the same auth context. The rest are left out, each with its reason,
 * and counted: a test fails when the set left out changes.
 */
/**
 * Where gRPC answers differently, and why; still refused. HTTP/2 field values lose their trailing
 * whitespace, so `Bearer ` arrives as `Bearer`: a scheme without credentials, not an empty token.
 */
const GRPC_DIFFERENCES: Readonly<Record<string, Expectation>> = {
  'Bearer scheme without token': {
    status: 401,
    wwwAuthenticate: 'Bearer realm="payments"',
    body: { error: 'unauthorized', error_description: 'missing bearer token', code: 'missing_token' },
  },
};

/** The scenarios left out over gRPC, by reason (the rest of the suite runs). */
const LEFT_OUT: Readonly<Record<string, number>> = {
  'an HTTP-only route': 38, // HMAC-signed, DPoP, onError 'forward', no serviceAuth, a thrown Error
  'a gRPC call has no query string': 1,
  'a gRPC call carries one authorization value': 1,
  'DPoP proofs or signatures': 1,
  'the TLS handshake refuses this certificate before any call, where HTTPS lets the app answer': 2,
};
/** With grpc-js before 1.14, which shows a call no client certificate (mTLS fails closed). */
const LEFT_OUT_BEFORE_1_14: Readonly<Record<string, number>> = {
  ...LEFT_OUT,
  'grpc-js before 1.14 shows no certificate': 9,
};

/** How many scenarios are left out, by reason, and the concerns with the scenarios that run. */
const leftOut: Record<string, number> = {};
const applicable = concerns
  .map(({ title, scenarios }) => ({
    title,
    scenarios: scenarios.filter((scenario) => {
      const reason = notOverGrpc(scenario, SEES_CERTIFICATES);
      if (reason !== undefined) leftOut[reason] = (leftOut[reason] ?? 0) + 1;
      return reason === undefined;
    }),
  }))
  .filter(({ scenarios }) => scenarios.length > 0);

describe('conformance scenarios over gRPC', () => {
  let kit: Kit;
  let app: GrpcApp;
  beforeAll(async () => {
    kit = await createKit();
    app = await startGrpcApp(appSpec(kit.options, kit));
  });
  afterAll(async () => {
    await app?.close();
    await kit?.close();
  });

  const send = (
    method: string,
    path: string,
    headers: Readonly<Record<string, string | string[]>>,
    tls: CallTls | undefined,
  ) => {
    const single: Record<string, string> = {};
    for (const [key, value] of Object.entries(headers))
      single[key] = typeof value === 'string' ? value : value.join(', ');
    return app.send(method, path, single, tls);
  };

  describe.each(applicable)('$title', ({ scenarios }) => {
    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        const method = scenario.method ?? 'GET';
        const headers = (await scenario.headers?.(kit)) ?? {};
        const request = { url: `http://grpc.test${scenario.path}`, method, body: undefined, headers };
        const authorization = await scenario.authorization?.(kit, request);
        // gRPC clients send one authorization value (notOverGrpc leaves out the scenario with two).
        if (Array.isArray(authorization)) throw new Error(`${scenario.name}: two authorization values`);
        // With a client certificate, over TLS; without, in plaintext (the TLS server requires one).
        const tls =
          scenario.clientCertificate === undefined ? undefined : kit.tls.client(scenario.clientCertificate);
        await scenario.prepare?.(kit, (call) =>
          send(call.method ?? 'GET', call.path, call.headers ?? {}, tls),
        );
        const sent = { ...headers, ...(authorization === undefined ? {} : { authorization }) };
        if (scenario.replay) expect((await app.send(method, scenario.path, sent, tls)).status).toBe(200);
        const reply = await app.send(method, scenario.path, sent, tls);
        const expected = GRPC_DIFFERENCES[scenario.name] ?? scenario.expect;
        expect({ status: reply.status, wwwAuthenticate: reply.wwwAuthenticate }).toEqual({
          status: expected.status,
          wwwAuthenticate: expected.wwwAuthenticate,
        });
        if (expected.retryAfter !== undefined) expect(reply.retryAfter).toBe(expected.retryAfter);
        if (expected.body !== undefined) expect(reply.body).toEqual(expected.body);
        if (expected.auth !== undefined) {
          expect(reply.body).toEqual({
            auth: expected.auth === null ? null : expect.objectContaining(expected.auth),
            ...(expected.resource === undefined ? {} : { resource: expected.resource }),
          });
        }
        if (reply.status !== 200 && authorization !== undefined && authorization.length > 20) {
          expect(JSON.stringify(reply)).not.toContain(authorization.slice(7));
        }
      });
    }
  });

  it('leaves out only the scenarios that do not apply over gRPC, by reason', () => {
    expect(leftOut).toEqual(SEES_CERTIFICATES ? LEFT_OUT : LEFT_OUT_BEFORE_1_14);
  });
});
