import { Metadata } from '@grpc/grpc-js';
import { token, verifierOptions } from '@org/auth-conformance/helpers';
import { createVerifier } from '@org/auth-core';
import { describe, expect, it } from 'vitest';
import { CallRequest, type ServerSurfaceCall } from '../src/call-request.js';

function callWith(entries: readonly (readonly [string, string | Buffer])[]): ServerSurfaceCall {
  const metadata = new Metadata();
  for (const [key, value] of entries) metadata.add(key, value);
  return { cancelled: false, metadata, getPath: () => '/orders.Orders/CreateOrder', emit: () => true };
}

describe('CallRequest', () => {
  it('gives text metadata as headers, leaves binary entries out, and has no TLS peer in plaintext', () => {
    const request = new CallRequest(
      callWith([
        ['authorization', 'Bearer a'],
        ['x-user-token', 'u'],
        ['trace-bin', Buffer.from([1, 2])],
      ]),
    );
    expect(request.headers).toEqual({ authorization: 'Bearer a', 'x-user-token': 'u' });
    expect(request.url).toBe('/orders.Orders/CreateOrder');
    expect(request.socket).toBeUndefined();
  });

  it('lets the core refuse two authorization entries, which other gRPC clients can send', async () => {
    const verifier = createVerifier(verifierOptions());
    const request = new CallRequest(
      callWith([
        ['authorization', `Bearer ${token()}`],
        ['authorization', `Bearer ${token({ sub: 'admin' })}`],
      ]),
    );
    await expect(verifier.authenticate(request)).rejects.toMatchObject({
      code: 'malformed_request',
      description: 'several authorization headers',
    });
  });

  it('reads the TLS peer certificate only when asked', () => {
    let asked = 0;
    const call = {
      ...callWith([]),
      getAuthContext() {
        asked++;
        return { transportSecurityType: 'ssl' };
      },
    };
    const request = new CallRequest(call);
    expect(asked).toBe(0);
    expect(request.socket).toMatchObject({ encrypted: true, authorized: false });
    expect(request.socket?.getPeerX509Certificate?.()).toBeUndefined();
    expect(asked).toBe(1);
  });
});
