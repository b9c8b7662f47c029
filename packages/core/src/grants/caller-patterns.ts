import { AuthConfigError } from '../errors.js';

/**
 * A compiled allow-list of callers. A pattern is an exact identity (`orders`,
 * `spiffe://prod/ns/shop/sa/orders`) or a prefix ending in `/*` or `:*`
 * (`spiffe://prod/ns/billing/*`), which matches every identity below that prefix.
 */
export class CallerPatterns {
  readonly #exact: Set<string>;
  readonly #prefixes: readonly string[];
  /** The patterns as given, for audit messages. */
  readonly patterns: readonly string[];

  constructor(option: string, patterns: readonly unknown[]) {
    if (!Array.isArray(patterns) || patterns.length === 0) {
      throw new AuthConfigError(
        option,
        'list at least one caller, such as "orders" or "spiffe://prod/ns/billing/*"',
      );
    }
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const [index, pattern] of patterns.entries()) {
      if (typeof pattern !== 'string' || pattern.trim() !== pattern || pattern === '') {
        throw new AuthConfigError(
          `${option}[${index}]`,
          'expected a non-empty caller identity without surrounding spaces',
        );
      }
      const star = pattern.indexOf('*');
      if (star === -1) {
        exact.add(pattern);
      } else if (star === pattern.length - 1 && /[/:]\*$/.test(pattern) && pattern.length > 2) {
        prefixes.push(pattern.slice(0, -1));
      } else {
        throw new AuthConfigError(
          `${option}[${index}]`,
          `"*" may only end a pattern after "/" or ":" (such as "spiffe://prod/ns/billing/*"); to allow every caller, leave the allow-list out`,
        );
      }
    }
    this.#exact = exact;
    this.#prefixes = prefixes;
    this.patterns = Object.freeze([...patterns] as string[]);
  }

  /** True when `caller` is allowed. */
  matches(caller: string | undefined): boolean {
    if (caller === undefined) return false;
    if (this.#exact.has(caller)) return true;
    for (const prefix of this.#prefixes) {
      if (caller.length > prefix.length && caller.startsWith(prefix)) return true;
    }
    return false;
  }
}
