// Reads a service's `/metrics` (OpenTelemetry metrics in the Prometheus text format) and sums the
// verifier's counters, for the summary printed at the end of the demo.

/** What one service's verifier counted. */
export interface AuthCounts {
  readonly accepted: number;
  readonly rejected: number;
  readonly cacheHits: number;
  readonly keyFetches: number;
}

/** Sums the samples of `metric` whose labels include every `label="value"` given. */
export function sumSamples(text: string, metric: string, labels: readonly string[] = []): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const labelText = line.slice(metric.length, line.lastIndexOf('}') + 1);
    if (!labels.every((label) => labelText.includes(label))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** The counters of the service at `url`, or `undefined` when it exposes none. */
export async function authCounts(url: string): Promise<AuthCounts | undefined> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) return undefined;
  const text = await response.text();
  const attempts = 'auth_authentication_attempts_total';
  if (!text.includes(attempts)) return undefined;
  return {
    accepted: sumSamples(text, attempts, ['auth_authentication_outcome="accepted"']),
    rejected: sumSamples(text, attempts, ['auth_authentication_outcome="rejected"']),
    cacheHits: sumSamples(text, 'auth_token_cache_lookups_total', ['auth_token_cache_result="hit"']),
    keyFetches: sumSamples(text, 'auth_key_set_fetches_total'),
  };
}
