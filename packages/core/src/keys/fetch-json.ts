/** A failure to fetch a JSON document; `reason` is short and safe to log. */
export class FetchJsonError extends Error {
  override readonly name = 'FetchJsonError';
  readonly reason: string;
  readonly httpStatus: number | undefined;

  constructor(reason: string, options: { cause?: unknown; httpStatus?: number } = {}) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.httpStatus = options.httpStatus;
  }
}

/** Options of {@link fetchJson}. */
export interface FetchJsonOptions {
  readonly fetch: typeof globalThis.fetch;
  /** Abort after this many milliseconds, headers and body included. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
}

/**
 * GETs a JSON document with a time limit and a size limit, without following redirects to
 * other schemes. Never caches: every call is a request.
 */
export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    let response: Response;
    try {
      response = await options.fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: controller.signal,
      });
    } catch (cause) {
      throw new FetchJsonError(controller.signal.aborted ? 'timed out' : 'request failed', { cause });
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new FetchJsonError(`answered HTTP ${response.status}`, { httpStatus: response.status });
    }
    const text = await readLimited(response, options.maxBytes, controller.signal);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new FetchJsonError('answered invalid JSON', { cause });
    }
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new FetchJsonError(`body larger than ${maxBytes} bytes`);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new FetchJsonError(`body larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof FetchJsonError) throw cause;
    throw new FetchJsonError(signal.aborted ? 'timed out' : 'body could not be read', { cause });
  }
  return Buffer.concat(chunks).toString('utf8');
}
