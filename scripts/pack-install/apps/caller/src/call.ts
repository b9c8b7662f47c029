// The calling service "billing": self-signed tokens for audience "orders" with the permission
// orders:read, signed with the key in PRIVATE_KEY_FILE (made by `service-auth keygen`). It calls
// every receiver named in TARGETS ({"express": "http://127.0.0.1:port", ...}), prints one line per
// receiver and, last, {"results": {"express": null | "why it failed", ...}}. Exit code 1 on a failure.
import {
  createAuthFetch,
  createSelfSignedSource,
  createTokenClient,
  loadSigningKeyFromFile,
} from '@org/auth-client';

const targets: Record<string, string> = JSON.parse(process.env.TARGETS ?? '{}');
const key = await loadSigningKeyFromFile(process.env.PRIVATE_KEY_FILE ?? '');
const tokens = createTokenClient({
  source: createSelfSignedSource({ issuer: 'billing', key, permissions: ['orders:read'] }),
});
const authFetch = createAuthFetch({
  tokens,
  audience: Object.fromEntries(Object.values(targets).map((url) => [url, 'orders'])),
});

interface Expectation {
  readonly label: string;
  readonly call: (url: string) => Promise<Response>;
  readonly status: number;
  readonly check?: (body: Record<string, unknown>, response: Response) => string | undefined;
}

const timeout = () => AbortSignal.timeout(5000);
const expectations: readonly Expectation[] = [
  {
    label: 'GET /orders with orders:read',
    call: (url) => authFetch(`${url}/orders`, { signal: timeout() }),
    status: 200,
    check: (body) => (body.caller === 'billing' ? undefined : `caller ${JSON.stringify(body.caller)}`),
  },
  {
    label: 'POST /orders without orders:create',
    call: (url) => authFetch(`${url}/orders`, { method: 'POST', signal: timeout() }),
    status: 403,
    check: (body) => (body.code === 'insufficient_permission' ? undefined : `code ${String(body.code)}`),
  },
  {
    label: 'GET /orders without a token',
    call: (url) => fetch(`${url}/orders`, { signal: timeout() }),
    status: 401,
    check: (_body, response) =>
      response.headers.get('www-authenticate')?.startsWith('Bearer') ? undefined : 'no Bearer challenge',
  },
  {
    label: 'GET /orders with a token for another audience',
    call: async (url) =>
      fetch(`${url}/orders`, {
        headers: { authorization: `Bearer ${await tokens.getToken('payments')}` },
        signal: timeout(),
      }),
    status: 401,
    check: (body) => (body.code === 'invalid_audience' ? undefined : `code ${String(body.code)}`),
  },
];

async function callOne(url: string): Promise<string | undefined> {
  for (const { label, call, status, check } of expectations) {
    try {
      const response = await call(url);
      const text = await response.text();
      if (response.status !== status) return `${label}: ${response.status} (expected ${status}) ${text}`;
      const body = text ? JSON.parse(text) : {};
      const problem = check?.(body, response);
      if (problem) return `${label}: ${problem}`;
    } catch (error) {
      return `${label}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return undefined;
}

const results: Record<string, string | null> = {};
for (const [name, url] of Object.entries(targets)) {
  const problem = await callOne(url);
  results[name] = problem ?? null;
  console.log(
    `${name}: ${problem ? `FAILED ${problem}` : `OK (${expectations.map((e) => e.status).join(', ')})`}`,
  );
}
console.log(JSON.stringify({ results }));
process.exitCode = Object.values(results).every((problem) => problem === null) ? 0 : 1;
