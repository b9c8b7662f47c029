import { AuthError } from '../errors.js';
import type { TokenHeader } from '../token/decode-token.js';
import type { KeyEntry } from './key-entry.js';
import { type IssuerHealth, type KeySource, selectKeys } from './key-source.js';

/** Keys given in the configuration: a static JWKS, a public key or a shared secret. */
export class StaticKeySource implements KeySource {
  readonly #issuer: string;
  readonly #entries: readonly KeyEntry[];

  constructor(issuer: string, entries: readonly KeyEntry[]) {
    this.#issuer = issuer;
    this.#entries = entries;
  }

  getKeys(header: TokenHeader): readonly KeyEntry[] {
    const keys = selectKeys(this.#entries, header, true);
    if (keys.length === 0) throw new AuthError('unknown_key');
    return keys;
  }

  ensureFresh(): undefined {
    return undefined;
  }

  async ready(): Promise<void> {}

  health(): IssuerHealth {
    return { issuer: this.#issuer, source: 'static', ready: true, keys: this.#entries.length };
  }
}
