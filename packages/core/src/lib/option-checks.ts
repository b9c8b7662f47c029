import { AuthConfigError } from '../errors.js';

/**
 * The keys of an options type, as a list checked by the compiler: the record must name every key
 * of `T` and nothing else, so the list of known options can never drift from the type.
 *
 * @example const KEYS = optionKeys<DpopOptions>({ required: true, algorithms: true, ... });
 */
export function optionKeys<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

/**
 * Refuses keys of `value` that are not in `known`, naming the option, the known keys and, for a
 * likely typo, the one that was meant.
 *
 * @throws {AuthConfigError} `options.permisions: unknown option (did you mean permissions?); known options here are ...`
 */
export function assertKnownKeys(option: string | undefined, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const suggestion = closest(key, known);
    throw new AuthConfigError(
      option === undefined ? key : `${option}.${key}`,
      `unknown option${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}; known options${option === undefined ? '' : ' here'} are ${known.join(', ')}`,
    );
  }
}

/** The known name closest to `name` when it is close enough to be a typo, else `undefined`. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Up to two fifths of the name may differ: `maxEntry` → `maxEntries`, not `now` → `typ`.
  return bestDistance <= Math.max(2, Math.ceil(name.length * 0.4)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counting once (`audeince` → `audience`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** Refuses anything but a plain object, with an example of what was expected. */
export function assertObject(option: string, value: unknown, example: string): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthConfigError(option, `expected an object such as ${example}`);
  }
}

/** True for a string with at least one character. */
export function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** `value` when it is a function or undefined. @throws {AuthConfigError} otherwise */
export function optionalFunction<F>(
  option: string,
  value: F | undefined,
  expected = 'a function',
): F | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new AuthConfigError(option, `expected ${expected}`);
  return value;
}

/** `value === true`, after refusing anything but a boolean or undefined. */
export function flag(option: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw new AuthConfigError(option, 'expected true or false');
  return value === true;
}

/** A non-empty string (a realm, an issuer name, ...) or undefined. */
export function optionalText(option: string, value: unknown): string | undefined {
  if (value !== undefined && !nonEmptyString(value))
    throw new AuthConfigError(option, 'expected a non-empty string');
  return value;
}

/** A claim name such as `sub`. */
export function claimName(option: string, value: unknown): string {
  if (!nonEmptyString(value)) throw new AuthConfigError(option, 'expected a claim name such as "sub"');
  return value;
}

/** A list of claim names. */
export function claimNames(option: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new AuthConfigError(option, 'expected an array of claim names');
  return value.map((name, index) => claimName(`${option}[${index}]`, name));
}
