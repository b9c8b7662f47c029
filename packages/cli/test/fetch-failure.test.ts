import { describe, expect, it } from 'vitest';
import { describeFetchFailure, recordingFetch } from '../src/fetch-failure.js';

/** What undici throws: `TypeError: fetch failed`, with the socket error as its cause. */
function fetchFailed(code: string, message: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

describe('fetch failures', () => {
  it('describes the innermost cause of a failed fetch', () => {
    expect(describeFetchFailure(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'))).toBe(
      'connection refused (ECONNREFUSED)',
    );
    expect(describeFetchFailure(fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND keys.test'))).toBe(
      'host not found (ENOTFOUND)',
    );
    expect(describeFetchFailure(fetchFailed('CERT_HAS_EXPIRED', 'certificate has expired'))).toBe(
      'TLS failed: certificate has expired (CERT_HAS_EXPIRED)',
    );
    expect(describeFetchFailure(fetchFailed('EPIPE', 'write EPIPE'))).toBe('write EPIPE');
    expect(
      describeFetchFailure(new TypeError('fetch failed', { cause: new Error('unexpected redirect') })),
    ).toBe('unexpected redirect');
  });

  it('remembers why the last request failed, but not a request its caller aborted', async () => {
    let fail: Error | undefined = fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED');
    const recorder = recordingFetch(async () => {
      if (fail) throw fail;
      return new Response('{}', { status: 404 });
    });
    await expect(recorder.fetch('http://127.0.0.1:9/jwks')).rejects.toBe(fail);
    expect(recorder.lastFailure()).toBe('connection refused (ECONNREFUSED)');

    fail = undefined;
    expect((await recorder.fetch('http://127.0.0.1:9/jwks')).status).toBe(404);
    expect(recorder.lastFailure()).toBeUndefined();

    const controller = new AbortController();
    controller.abort();
    fail = new DOMException('aborted', 'AbortError');
    await expect(recorder.fetch('http://127.0.0.1:9/jwks', { signal: controller.signal })).rejects.toBe(fail);
    expect(recorder.lastFailure()).toBeUndefined();
  });
});
