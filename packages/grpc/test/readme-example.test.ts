import { type Metadata, ServerCredentials, type StatusObject, status } from '@grpc/grpc-js';
import { createSelfSignedSource, createTokenClient, generateSigningKey } from '@org/auth-client';
import { expectReadmeShows } from '@org/auth-conformance/helpers';
import { describe, expect, it } from 'vitest';
import { authOptions, createPaymentsClient, createServer, type Payment } from '../examples/readme-example.js';

interface Ended {
  readonly code: status;
  readonly details: string;
  readonly challenge: unknown;
  readonly value: Payment | undefined;
}

type Callback = (error: unknown, value?: Payment) => void;
interface Call {
  on(event: 'status', listener: (answer: StatusObject) => void): void;
  write(message: Payment): void;
  end(): void;
}

const challengeOf = (metadata: Metadata) => metadata.get('www-authenticate')[0];

describe('README example', () => {
  it('is the file tested here, verbatim', () =>
    expectReadmeShows(import.meta.url, 'examples/readme-example.ts'));

  it('has valid production options', () => {
    createServer(authOptions).forceShutdown();
  });

  it('serves a permitted and a refused call between the example client and server', async () => {
    const key = await generateSigningKey();
    const server = createServer({
      issuers: [{ issuer: 'orders', jwks: { keys: [key.publicJwk!] } }],
      audience: 'payments',
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const tokens = createTokenClient({
      source: createSelfSignedSource({
        issuer: 'orders',
        key,
        claims: { permissions: ['payments:read'], tenant: 'acme' },
      }),
    });
    const client = createPaymentsClient(`127.0.0.1:${port}`, tokens);
    const deadline = () => ({ deadline: Date.now() + 5_000 });
    try {
      const read = await new Promise<Ended>((resolve) => {
        let value: Payment | undefined;
        const call: Call = client.GetPayment!({}, deadline(), ((_error, answer) => {
          value = answer;
        }) satisfies Callback);
        call.on('status', (answer) =>
          resolve({
            code: answer.code,
            details: answer.details,
            challenge: challengeOf(answer.metadata),
            value,
          }),
        );
      });
      expect(read).toMatchObject({ code: status.OK, value: { caller: 'orders', tenant: 'acme' } });

      const create = await new Promise<Ended>((resolve) => {
        const call: Call = client.ImportPayments!(deadline(), (() => {}) satisfies Callback);
        call.on('status', (answer) =>
          resolve({
            code: answer.code,
            details: answer.details,
            challenge: challengeOf(answer.metadata),
            value: undefined,
          }),
        );
        call.write({ amount: 5 });
        call.end();
      });
      expect(create).toMatchObject({ code: status.PERMISSION_DENIED, value: undefined });
      expect(create.details).toMatch(/permission/);
      expect(create.challenge).toMatch(
        /^Bearer error="insufficient_scope", error_description="[^"]+", scope="payments:create"$/,
      );
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
