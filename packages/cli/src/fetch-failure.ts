/** A `fetch` that remembers, in a developer's words, why its last request failed to get an answer. */
export interface RecordingFetch {
  readonly fetch: typeof globalThis.fetch;
  /** `connection refused (ECONNREFUSED)`, ...; undefined when the last request got an answer. */
  lastFailure(): string | undefined;
}

/**
 * Wraps `fetch` so that a JWKS that cannot be reached is reported with its cause. The core keeps
 * only a log-safe `request failed`; for a developer at a terminal the cause is the useful part.
 * A request aborted by its caller (the core's time limit) is left to the caller to describe.
 */
export function recordingFetch(base: typeof globalThis.fetch = globalThis.fetch): RecordingFetch {
  let failure: string | undefined;
  return {
    fetch: async (input, init) => {
      failure = undefined;
      try {
        return await base(input, init);
      } catch (error) {
        if (!init?.signal?.aborted) failure = describeFetchFailure(error);
        throw error;
      }
    },
    lastFailure: () => failure,
  };
}

const CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed without an answer',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** `connection refused (ECONNREFUSED)`: the innermost cause of a failed `fetch`, in words. */
export function describeFetchFailure(error: unknown): string {
  // undici throws `TypeError: fetch failed` with the socket or TLS error as its cause.
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const code = (inner as { code?: unknown } | undefined)?.code;
  const message = inner instanceof Error ? inner.message : String(inner);
  if (typeof code !== 'string') return message;
  const known = CODES[code];
  if (known !== undefined) return `${known} (${code})`;
  if (/CERT|TLS|SSL/.test(code)) return `TLS failed: ${message} (${code})`;
  return message.includes(code) ? message : `${message} (${code})`;
}
