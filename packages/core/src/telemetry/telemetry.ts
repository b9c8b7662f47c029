import type { AuthEventListener, CallerKind } from '../events.js';

/** Who a request was from, as far as the telemetry records it (never a token, subject or id). */
export interface TelemetryIdentity {
  readonly issuer?: string | undefined;
  readonly kind?: CallerKind | undefined;
  readonly caller?: string | undefined;
}

/** What the telemetry reads from a request: its headers, for an incoming `traceparent`. */
export interface TelemetryCarrier {
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined;
}

/** What the key-set age gauge and the signature-check counter read: `verifier.health()`. */
export interface KeySetHealth {
  readonly issuers: readonly { readonly issuer: string; readonly fetchedAt?: number | undefined }[];
  /** Signatures checked on the event loop and on the thread pool so far. */
  readonly signatures: { readonly eventLoop: number; readonly threadPool: number };
}

/**
 * A verifier's metrics and spans, as the verifier calls them. It exists only when telemetry is on
 * and OpenTelemetry is installed with a provider; otherwise the verifier holds `undefined` and
 * records nothing, at no cost. Recording never throws into a request.
 *
 * (Its one implementation, `VerifierTelemetry`, is the only module typed against
 * `@opentelemetry/api`; this contract is not, so the published types never need the optional
 * peer dependency.)
 */
export interface Telemetry {
  /**
   * Starts reporting the age of each fetched key set and the signatures checked on the event loop
   * and on the thread pool, read from `health()` when collected.
   */
  observeHealth(health: () => KeySetHealth): void;
  /** Stops the observed instruments (the verifier is closed). */
  close(): void;
  /** `emit`, also counting key-set fetches. */
  keyEvents(emit: AuthEventListener): AuthEventListener;
  /** A lookup in the verified-token cache. */
  cacheLookup(hit: boolean): void;
  /** Notes who `error`, a rejection the verifier is about to throw, was for. */
  rejected(error: unknown, identity: TelemetryIdentity): void;
  /** The clock of durations: a `performance.now()` timestamp, in milliseconds. */
  clock(): number;
  /**
   * Runs one authentication in a span of its own, child of the incoming trace, and records its
   * outcome and duration.
   */
  authenticate<T extends TelemetryIdentity>(
    carrier: TelemetryCarrier | undefined,
    run: () => Promise<T | undefined>,
  ): Promise<T | undefined>;
  /** Records a request answered from the cache without awaiting anything, started at `started`. */
  acceptedCached(carrier: TelemetryCarrier, identity: TelemetryIdentity, started: number): void;
}
