import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * Stateless, rotating DPoP server nonces (RFC 9449 §8): the nonce of a period is an HMAC of the
 * period number, so every replica holding the same secret issues and accepts the same nonces
 * without sharing state. A nonce is accepted during its own period and the next one, so a nonce
 * handed out just before a rotation still works; it therefore lives between one and two periods.
 */
export class DpopNonces {
  readonly #secret: KeyObject;
  /** Period length in milliseconds. */
  readonly #periodMs: number;
  #period = Number.NaN;
  #current = '';
  #previous = '';

  constructor(secret: KeyObject, lifetimeSeconds: number) {
    this.#secret = secret;
    this.#periodMs = lifetimeSeconds * 1000;
  }

  /** The nonce to hand out at `nowMs`. */
  current(nowMs: number): string {
    this.#rotate(nowMs);
    return this.#current;
  }

  /** True when `nonce` is the nonce of the current or the previous period. */
  accepts(nonce: string, nowMs: number): boolean {
    this.#rotate(nowMs);
    return same(nonce, this.#current) || same(nonce, this.#previous);
  }

  #rotate(nowMs: number): void {
    const period = Math.floor(nowMs / this.#periodMs);
    if (period === this.#period) return;
    // Computed once per period, not per request.
    this.#current = this.#nonceOf(period);
    this.#previous = this.#nonceOf(period - 1);
    this.#period = period;
  }

  #nonceOf(period: number): string {
    // 128 bits of the MAC: unguessable, and short enough for a header on every response.
    return createHmac('sha256', this.#secret)
      .update(`DPoP-Nonce/${period}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
