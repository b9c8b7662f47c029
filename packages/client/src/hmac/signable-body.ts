import { AuthClientError } from '../errors.js';

/** A request body as the exact bytes fetch will send. */
export interface SignableBody {
  /** The bytes to hash and to send; `undefined` for no body. A fresh copy the caller cannot change. */
  readonly bytes: Uint8Array | undefined;
  /** The `Content-Type` fetch gives this kind of body when the request sets none. */
  readonly contentType: string | undefined;
}

// The Fetch standard's "extract a body": the content type each kind of body implies.
const TEXT = 'text/plain;charset=UTF-8';
const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';
const NO_BODY: SignableBody = { bytes: undefined, contentType: undefined };
const encoder = new TextEncoder();

function unsignable(message: string): AuthClientError {
  return new AuthClientError('unsignable_request', message);
}

/**
 * Turns a `fetch` body into the bytes fetch would send for it, so that the signature covers
 * exactly what goes on the wire. Strings and `URLSearchParams` are encoded as fetch encodes them,
 * binary bodies are copied, a `Blob` is read.
 *
 * @throws {AuthClientError} `unsignable_request` for streams, `FormData` and unknown body types
 */
export async function signableBody(body: RequestInit['body']): Promise<SignableBody> {
  if (body === undefined || body === null) return NO_BODY;
  if (typeof body === 'string') return { bytes: encoder.encode(body), contentType: TEXT };
  if (body instanceof URLSearchParams) return { bytes: encoder.encode(body.toString()), contentType: FORM };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body.slice(0)), contentType: undefined };
  if (ArrayBuffer.isView(body)) {
    const view = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { bytes: view.slice(), contentType: undefined };
  }
  if (body instanceof Blob) {
    const bytes = new Uint8Array(await body.arrayBuffer());
    return { bytes, contentType: body.type === '' ? undefined : body.type };
  }
  if (body instanceof FormData) {
    throw unsignable(
      'cannot sign a FormData body: fetch encodes it with a random multipart boundary only while sending, ' +
        'and a signature needs the exact bytes up front; encode it first ' +
        '(const encoded = new Response(form): send await encoded.arrayBuffer() with its content-type header)',
    );
  }
  if (body instanceof ReadableStream || Symbol.asyncIterator in Object(body)) {
    throw unsignable(
      'cannot sign a streamed body: a signature needs the exact bytes up front; ' +
        'pass a string, bytes, URLSearchParams or Blob instead (buffer the stream first)',
    );
  }
  throw unsignable(
    `cannot sign a body of type ${Object.prototype.toString.call(body)}; ` +
      'pass a string, bytes, URLSearchParams or Blob',
  );
}

/** The body of a `Request` as bytes, read from a clone so that the caller's request stays usable. */
export async function requestBodyBytes(request: Request): Promise<Uint8Array | undefined> {
  if (request.body === null) return undefined;
  if (request.bodyUsed) {
    throw unsignable('cannot sign a Request whose body was already read; build a new Request');
  }
  return new Uint8Array(await request.clone().arrayBuffer());
}
