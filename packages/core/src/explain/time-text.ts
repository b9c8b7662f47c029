/**
 * `2026-12-02T14:20:00Z`: a NumericDate (seconds) as ISO 8601 UTC, without milliseconds for
 * whole seconds; undefined for anything that is not a representable time.
 */
export function isoTime(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  return Number.isInteger(seconds) ? iso.replace('.000Z', 'Z') : iso;
}

/** `42 s`, `3 min`, `1.5 h`, `12 days`: a rounded span of seconds. */
export function span(seconds: number): string {
  const abs = Math.round(Math.abs(seconds));
  if (abs < 60) return `${abs} s`;
  if (abs < 3570) return `${Math.round(abs / 60)} min`;
  if (abs < 172_800) return `${Math.round(abs / 360) / 10} h`;
  return `${Math.round(abs / 86_400)} days`;
}

/** `3 min ago` or `in 3 min`, from `now` (seconds). */
export function relativeTime(seconds: number, now: number): string {
  return seconds <= now ? `${span(now - seconds)} ago` : `in ${span(seconds - now)}`;
}

/**
 * `2026-12-02T14:20:00Z (expired 3 min ago)`: a time claim (`exp`, `nbf`, `iat`) with its age
 * relative to `now` (seconds), or why it is no time.
 */
export function describeTimeClaim(claim: string, value: unknown, now: number): string {
  const iso = isoTime(value);
  if (iso === undefined || typeof value !== 'number') return `${JSON.stringify(value)} (not a NumericDate)`;
  const age = relativeTime(value, now);
  if (claim === 'exp') return `${iso} (${value <= now ? 'expired' : 'expires'} ${age})`;
  return `${iso} (${age})`;
}
