import type { TokenHeader } from '../token/decode-token.js';
import type { KeyEntry } from './key-entry.js';

/** The readiness of one issuer's keys, as reported by `verifier.health()`. */
export interface IssuerHealth {
  readonly issuer: string;
  /** `static` keys never change; `remote` keys are fetched from a JWKS URL. */
  readonly source: 'static' | 'remote';
  /** True when keys are available to verify tokens right now. */
  readonly ready: boolean;
  /** Number of usable keys. */
  readonly keys: number;
  /** Time of the last successful fetch (ms since epoch), for remote keys. */
  readonly fetchedAt?: number;
  /** True when the keys are past their max age: served while a refresh runs or after it failed. */
  readonly stale?: boolean;
  /** Why the last fetch failed, if it did (never contains secrets). */
  readonly lastError?: string;
}

/** Where one issuer's verification keys come from. */
export interface KeySource {
  /**
   * Keys that may verify a token with this header (matching `kid` when present and `alg`).
   * Remote sources fetch when needed.
   *
   * @throws {AuthError} `unknown_key` (401) or `keys_unavailable` (503)
   */
  getKeys(header: TokenHeader): readonly KeyEntry[] | Promise<readonly KeyEntry[]>;
  /**
   * Starts a refresh if the keys are near or past their max age, so that a token verified earlier
   * is soon checked against the current key set. Returns undefined when there is nothing to wait
   * for, which is always the case while the cached keys may still be used (stale keys serve while
   * the refresh runs); a promise only when no usable key is left and a fetch must be awaited.
   *
   * @throws {AuthError} `keys_unavailable` (503) when the keys are too stale to be used
   */
  ensureFresh(): Promise<void> | undefined;
  /** Resolves once keys are available; rejects with `keys_unavailable` if they cannot be had. */
  ready(): Promise<void>;
  health(): IssuerHealth;
  /** Stops timers, if the source has any. */
  close?(): void;
}

/**
 * The keys of a set that may verify a token with this header. A token that names its key (`kid`)
 * matches only the key of that id; with `kidlessMatchesAny`, a key configured without an id (a
 * PEM key, a shared secret) matches too, since there is no id to compare.
 */
export function selectKeys(
  entries: readonly KeyEntry[],
  header: TokenHeader,
  kidlessMatchesAny = false,
): KeyEntry[] {
  const found: KeyEntry[] = [];
  for (const entry of entries) {
    if (!entry.algorithms.has(header.alg)) continue;
    if (
      header.kid !== undefined &&
      entry.kid !== header.kid &&
      !(kidlessMatchesAny && entry.kid === undefined)
    ) {
      continue;
    }
    found.push(entry);
  }
  return found;
}
