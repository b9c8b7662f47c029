/**
 * Refuses a key of `options` that is not in `known`, so that a typo (`audiance`) fails at once
 * instead of leaving a default in place; names the likely intended key and the known ones.
 * (The kit cannot use the core's checks: the core's own tests depend on it.)
 *
 * @throws {TypeError} `createTestIssuer: unknown option "audiance" (did you mean "audience"?); known options: ...`
 */
export function assertOptionKeys(where: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${where}: expected an options object`);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const meant = closestKey(key, known);
    throw new TypeError(
      `${where}: unknown option "${key}"${meant === undefined ? '' : ` (did you mean "${meant}"?)`}; known options: ${known.join(', ')}`,
    );
  }
}

/** The known key closest to `key` by edit distance, if two edits or fewer away. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = edits(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Single-character insertions, deletions and changes that turn `a` into `b`. */
function edits(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const change = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, change);
    }
    previous = row;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}

/** The keys of an options type, checked by the compiler to be all of them and nothing else. */
export function optionNames<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}
