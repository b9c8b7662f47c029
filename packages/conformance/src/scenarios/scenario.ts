import type { ClientCertificate, Kit } from '../app-spec.js';
import type { Call } from '../client.js';

/** What a scenario expects; every field given is compared exactly. */
export interface Expectation {
  readonly status: number;
  /** The exact `WWW-Authenticate` value, or `null` for none. */
  readonly wwwAuthenticate: string | null;
  readonly retryAfter?: string;
  /** The exact JSON body. */
  readonly body?: unknown;
  /** For 200s: fields of the echoed `auth.toJSON()`. */
  readonly auth?: Record<string, unknown> | null;
  /** For 200s: the echoed resource loaded by `authorize`, compared exactly. */
  readonly resource?: unknown;
  /** For 200s of `/signed`: the body as the app parsed it (`null` for none), compared exactly. */
  readonly parsedBody?: unknown;
  /** Response headers that must be present with a non-empty value, lower case (e.g. `dpop-nonce`). */
  readonly headersSent?: readonly string[];
}

/** The request a scenario's credentials are made for (signatures cover it). */
export interface RequestInfo {
  /** The full URL, on the running target. */
  readonly url: string;
  readonly method: string;
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** One request and its expected answer, identical for every target. */
export interface Scenario {
  readonly name: string;
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  /** The Authorization header: a value, several (sent as separate lines), or none. */
  readonly authorization?: (kit: Kit, request: RequestInfo) => string | string[] | Promise<string | string[]>;
  /** The request body, sent as is (give its `content-type` in `headers`). */
  readonly body?: string;
  /** Send the identical request (same credentials) once before, expecting it to pass. */
  readonly replay?: true;
  /** Headers made for the request, e.g. `Authorization: DPoP` and a `DPoP` proof. */
  readonly credentials?: (kit: Kit, request: RequestInfo) => Promise<Record<string, string | string[]>>;
  /** The client certificate presented over TLS (the suite serves HTTPS). Default: none. */
  readonly clientCertificate?: ClientCertificate;
  /** Other request headers, e.g. `x-session`. */
  readonly headers?: (kit: Kit) => Record<string, string> | Promise<Record<string, string>>;
  /** Runs first, e.g. to warm the key cache; `send` goes to the same target. */
  readonly prepare?: (kit: Kit, send: (call: Call) => Promise<{ status: number }>) => Promise<void>;
  readonly expect: Expectation;
}

/** The scenarios of one concern, run together under its title. */
export interface Concern {
  readonly title: string;
  readonly scenarios: readonly Scenario[];
}
