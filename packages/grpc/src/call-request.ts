import { X509Certificate } from 'node:crypto';
import type { Metadata, StatusObject } from '@grpc/grpc-js';
import type { RequestLike } from '@org/auth-core';
import type { RequestSocket } from '@org/auth-core/adapter';

type Headers = Record<string, string>;

/**
 * Text metadata as Node gives HTTP headers: the first value of each key in `headers`, every
 * entry in `rawHeaders`, so that the core refuses two `authorization` entries as it refuses two
 * `Authorization` headers. Binary entries (`-bin`) are never credentials and are left out.
 */
function headersOf(metadata: Metadata): { headers: Headers; rawHeaders: string[] } {
  const headers: Headers = {};
  const rawHeaders: string[] = [];
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    if (key.endsWith('-bin')) continue;
    for (const value of values) {
      if (typeof value !== 'string') continue;
      headers[key] ??= value;
      rawHeaders.push(key, value);
    }
  }
  return { headers, rawHeaders };
}

/**
 * What the adapter uses of a server call, whatever its kind (grpc-js does not export its own
 * `ServerSurfaceCall`). `getAuthContext` is there from grpc-js 1.14 on.
 */
export interface ServerSurfaceCall {
  /** True once the client cancelled the call (or its deadline passed). */
  readonly cancelled: boolean;
  readonly metadata: Metadata;
  getPath(): string;
  getAuthContext?(): {
    readonly transportSecurityType?: string;
    readonly sslPeerCertificate?: { readonly raw?: Buffer };
  };
  emit(event: 'error', error: StatusObject): boolean;
}

/**
 * The connection as the core reads it. grpc-js exposes the client certificate through
 * `call.getAuthContext()` (1.14 and later; older versions show no certificate, so mTLS and
 * certificate-bound tokens are refused there). It does not say whether the certificate was
 * verified: with `ServerCredentials.createSsl(ca, pairs, true)` the handshake refuses any
 * certificate that does not chain to `ca`, so a certificate that reaches a call is a verified one.
 */
function socketOf(call: ServerSurfaceCall): RequestSocket | undefined {
  const context = call.getAuthContext?.();
  if (context?.transportSecurityType !== 'ssl') return undefined;
  const raw = context.sslPeerCertificate?.raw;
  let certificate: X509Certificate | undefined;
  return {
    encrypted: true,
    authorized: raw !== undefined,
    getPeerX509Certificate() {
      if (raw === undefined) return undefined;
      certificate ??= new X509Certificate(raw);
      return certificate;
    },
  };
}

/**
 * A call as the core's request: its metadata as headers, its path as the target and, read only
 * when a check needs it, its TLS peer.
 */
export class CallRequest implements RequestLike {
  readonly headers: Headers;
  readonly rawHeaders: readonly string[];
  readonly method = 'POST';
  readonly url: string | undefined;
  readonly #call: ServerSurfaceCall;
  #socket: RequestSocket | undefined | null = null;

  constructor(call: ServerSurfaceCall) {
    this.#call = call;
    ({ headers: this.headers, rawHeaders: this.rawHeaders } = headersOf(call.metadata));
    this.url = call.getPath();
  }

  get socket(): RequestSocket | undefined {
    if (this.#socket === null) this.#socket = socketOf(this.#call);
    return this.#socket;
  }
}
