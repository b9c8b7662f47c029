import { callShipping } from './shipping.js';
import type { Shop } from './shop.js';

/** One HTTP (or gRPC) call of the scenario, as the transcript shows it. */
export interface Call {
  readonly caller: string;
  readonly callee: string;
  readonly route: string;
  /** The HTTP status, or with `transport: 'grpc'` the gRPC status code (0 is OK). */
  readonly status: number;
  readonly transport?: 'grpc';
  /** Why: the error code and description of a rejection, or what happened. */
  readonly reason: string;
  /** The status this step expects, and for rejections the error code. */
  readonly expected: { readonly status: number; readonly code?: string };
  readonly ok: boolean;
}

export interface Step {
  readonly number: number;
  readonly title: string;
  readonly calls: readonly Call[];
  /** Further lines for the transcript (rotation counts, key ids). */
  readonly notes: readonly string[];
  readonly ok: boolean;
  /** What went wrong when `ok` is false. */
  readonly problems: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function send(
  method: string,
  url: string,
  options: { readonly token?: string | undefined; readonly body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown> | null;
  return { status: res.status, headers: res.headers, body: body ?? {} };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Key ids are RFC 7638 thumbprints, 43 characters: the first 8 tell them apart. */
const short = (kid: unknown): string => (text(kid).length > 12 ? `${text(kid).slice(0, 8)}…` : text(kid));

/** `code: description (error="…")` for a rejection. */
function rejection(body: unknown, challenge?: string | null): string {
  const { code, error_description: description } = (body ?? {}) as Record<string, unknown>;
  const bearer = /error="([^"]+)"/.exec(challenge ?? '')?.[1];
  return `${text(code) || 'error'}: ${text(description) || 'no description'}${bearer ? ` (${bearer})` : ''}`;
}

function call(
  caller: string,
  callee: string,
  route: string,
  status: number,
  body: unknown,
  expected: Call['expected'],
  accepted: string,
  challenge?: string | null,
  transport?: 'grpc',
): Call {
  const code = text((body as Record<string, unknown> | null)?.code);
  const ok = status === expected.status && (expected.code === undefined || code === expected.code);
  // A gRPC call is accepted when its status is OK (0); a refusal's code comes from the trailers.
  const succeeded = transport === 'grpc' ? status === 0 : status < 400;
  return {
    caller,
    callee,
    route,
    status,
    ...(transport === undefined ? {} : { transport }),
    reason: succeeded ? accepted : rejection(body, challenge),
    expected,
    ok,
  };
}

function step(
  number: number,
  title: string,
  calls: Call[],
  notes: string[] = [],
  problems: string[] = [],
): Step {
  const all = [
    ...problems,
    ...calls
      .filter((c) => !c.ok)
      .map((c) => `${c.caller} → ${c.callee} ${c.route}: expected ${c.expected.status}, got ${c.status}`),
  ];
  return { number, title, calls, notes, ok: all.length === 0, problems: all };
}

interface DownstreamCall {
  readonly callee: string;
  readonly route: string;
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

const downstreamCalls = (body: Record<string, unknown>): DownstreamCall[] =>
  Array.isArray(body.calls) ? (body.calls as DownstreamCall[]) : [];

const AUD = {
  orders: 'urn:shop:orders',
  payments: 'urn:shop:payments',
  inventory: 'urn:shop:inventory',
  shipping: 'urn:shop:shipping',
};

/** The kid of the key that signed orders' token for payments, as payments reported it. */
function paymentKid(body: Record<string, unknown>): string | undefined {
  const payment = downstreamCalls(body).find((c) => c.callee === 'payments');
  return text(payment?.body?.signedWith) || undefined;
}

/**
 * The scripted scenario. Each step makes real HTTP calls to the running shop and checks the
 * answers; `onStep` sees each step as soon as it is done.
 */
export async function runScenario(shop: Shop, onStep: (step: Step) => void = () => {}): Promise<Step[]> {
  const { login } = shop;
  const orders = shop.url('orders');
  const payments = shop.url('payments');
  const inventory = shop.url('inventory');
  const steps: Step[] = [];
  const done = (result: Step) => {
    steps.push(result);
    onStep(result);
  };
  const alice = await login.mint({ user: 'alice', audience: AUD.orders, permissions: ['orders:create'] });
  let shipment = ''; // created in step 1, tracked in step 8

  // 1. A user places an order; orders calls inventory and payments with its own service tokens.
  {
    const aliceAtInventory = await login.mint({
      user: 'alice',
      audience: AUD.inventory,
      permissions: ['inventory:read'],
    });
    const items = await send('GET', `${inventory}/items`, { token: aliceAtInventory });
    const placed = await send('POST', `${orders}/orders`, {
      token: alice,
      body: { item: 'widget', quantity: 2 },
    });
    const calls = [
      call(
        'alice',
        'inventory',
        'GET /items',
        items.status,
        items.body,
        { status: 200 },
        'user token, stock listed',
      ),
      call(
        'alice',
        'orders',
        'POST /orders',
        placed.status,
        placed.body,
        { status: 201 },
        `order ${text(placed.body.order)} placed`,
      ),
    ];
    const expectedChain: Record<string, number> = {
      'GET /items': 200,
      'POST /reservations': 201,
      'POST /payments': 201,
      'gRPC CreateShipment': 0, // the last hop is gRPC: status OK
    };
    const chain = downstreamCalls(placed.body);
    for (const [route, status] of Object.entries(expectedChain)) {
      const made = chain.find((c) => c.route === route);
      if (route === 'gRPC CreateShipment') {
        shipment = text(made?.body?.shipment);
        calls.push(
          call(
            'orders',
            'shipping',
            route,
            made?.status ?? -1,
            made?.body,
            { status },
            `shipment ${shipment}, token signed with key ${short(made?.body?.signedWith)}`,
            text(made?.body?.challenge),
            'grpc',
          ),
        );
        continue;
      }
      const what =
        route === 'GET /items'
          ? 'service token, stock checked'
          : route === 'POST /reservations'
            ? `reservation ${text(made?.body?.reservation)}`
            : `payment ${text(made?.body?.payment)}, token signed with key ${short(made?.body?.signedWith)}`;
      calls.push(
        call(
          'orders',
          route === 'POST /payments' ? 'payments' : 'inventory',
          route,
          made?.status ?? 0,
          made?.body,
          { status },
          what,
        ),
      );
    }
    done(step(1, 'A user places an order: user token to orders, service tokens along the chain', calls));
  }

  // 2. Payments tries to reserve stock directly. Its token is valid, but inventory allows only orders.
  {
    const tried = await send('POST', `${payments}/demo/reserve-inventory`);
    const answer = (tried.body.inventory ?? {}) as { status?: number; body?: unknown };
    done(
      step(2, 'Payments tries to reserve inventory directly', [
        call(
          'payments',
          'inventory',
          'POST /reservations',
          answer.status ?? tried.status,
          answer.body,
          {
            status: 403,
            code: 'caller_not_allowed',
          },
          'reserved',
        ),
      ]),
    );
  }

  // 3. A user sends her own token straight to payments.
  {
    const res = await send('POST', `${payments}/payments`, {
      token: alice,
      body: { order: 'ord_x', amount: 1 },
    });
    done(
      step(3, 'An end-user token sent straight to payments', [
        call(
          'alice',
          'payments',
          'POST /payments',
          res.status,
          res.body,
          {
            status: 401,
            code: 'invalid_token_type',
          },
          'charged',
          res.headers.get('www-authenticate'),
        ),
      ]),
    );
  }

  // 4. The token orders sent to payments, captured on the way, replayed against inventory.
  {
    const stolen = shop.wiretap.lastToken;
    const res = await send('POST', `${inventory}/reservations`, {
      token: stolen,
      body: { order: 'ord_stolen', item: 'widget', quantity: 1 },
    });
    done(
      step(
        4,
        'The token orders got for payments, replayed against inventory',
        [
          call(
            'eavesdropper',
            'inventory',
            'POST /reservations',
            res.status,
            res.body,
            {
              status: 401,
              code: 'invalid_audience',
            },
            'reserved',
            res.headers.get('www-authenticate'),
          ),
        ],
        [`token captured between orders and payments (aud ${AUD.payments})`],
        stolen === undefined ? ['no token was captured between orders and payments'] : [],
      ),
    );
  }

  // 5. An expired token.
  {
    const expired = await login.mint({
      user: 'alice',
      audience: AUD.orders,
      permissions: ['orders:create'],
      expiresIn: -60,
    });
    const res = await send('POST', `${orders}/orders`, {
      token: expired,
      body: { item: 'widget', quantity: 1 },
    });
    const description = text(res.body.error_description);
    done(
      step(
        5,
        'An expired token',
        [
          call(
            'alice',
            'orders',
            'POST /orders',
            res.status,
            res.body,
            { status: 401, code: 'token_expired' },
            'placed',
            res.headers.get('www-authenticate'),
          ),
        ],
        [],
        description === 'token expired' ? [] : [`expected "token expired", got "${description}"`],
      ),
    );
  }

  // 6. A token without the permission the route needs.
  {
    const bob = await login.mint({ user: 'bob', audience: AUD.orders, permissions: ['orders:read'] });
    const res = await send('POST', `${orders}/orders`, { token: bob, body: { item: 'widget', quantity: 1 } });
    const challenge = res.headers.get('www-authenticate') ?? '';
    done(
      step(
        6,
        'A token missing a permission (bob may read orders, not create them)',
        [
          call(
            'bob',
            'orders',
            'POST /orders',
            res.status,
            res.body,
            { status: 403, code: 'insufficient_permission' },
            'placed',
            challenge,
          ),
        ],
        [],
        challenge.includes('error="insufficient_scope"')
          ? []
          : [`expected insufficient_scope in WWW-Authenticate, got "${challenge}"`],
      ),
    );
  }

  done(await rotationStep(shop, alice));

  // 8. gRPC: a user may track her shipment at shipping, not create one (orders does that).
  {
    const aliceAtShipping = await login.mint({
      user: 'alice',
      audience: AUD.shipping,
      permissions: ['shipping:read'],
    });
    const tracked = await callShipping(shop.shippingAddress, 'GetShipment', { shipment }, aliceAtShipping);
    const created = await callShipping(
      shop.shippingAddress,
      'CreateShipment',
      { order: 'ord_1', item: 'widget', quantity: 1 },
      aliceAtShipping,
    );
    const challenge = created.challenge ?? '';
    done(
      step(
        8,
        'gRPC: a user token may track a shipment, not create one (shipping:read, not shipping:create)',
        [
          call(
            'alice',
            'shipping',
            'gRPC GetShipment',
            tracked.status,
            tracked.body,
            { status: 0 },
            `shipment ${text(tracked.body.shipment)}: ${text(tracked.body.status)}`,
            tracked.challenge,
            'grpc',
          ),
          call(
            'alice',
            'shipping',
            'gRPC CreateShipment',
            created.status,
            created.body,
            { status: 7, code: 'insufficient_permission' }, // PERMISSION_DENIED
            'created',
            challenge,
            'grpc',
          ),
        ],
        [
          'the stable code and the challenge come in the trailing metadata (auth-error-code, www-authenticate)',
        ],
        challenge.includes('error="insufficient_scope"')
          ? []
          : [`expected insufficient_scope in the www-authenticate trailer, got "${challenge}"`],
      ),
    );
  }
  return steps;
}

/** Kids of the keys that sign the service tokens: orders' JWKS, or the token service's. */
async function publishedKids(shop: Shop): Promise<string[]> {
  let jwksUri = `${shop.url('orders')}/.well-known/jwks.json`;
  if (shop.mode === 'token-service') {
    const metadata = await send('GET', `${shop.url('token-service')}/.well-known/openid-configuration`);
    jwksUri = text(metadata.body.jwks_uri);
  }
  const jwks = await send('GET', jwksUri);
  return ((jwks.body.keys ?? []) as { kid?: string }[]).map((key) => key.kid ?? '?');
}

// 7. The signing key of the service tokens is rotated while orders keep coming in.
async function rotationStep(shop: Shop, alice: string): Promise<Step> {
  const orders = shop.url('orders');
  const kidsBefore = await publishedKids(shop);
  const seen = new Map<string, number>();
  const failures: string[] = [];
  let placed = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      const res = await send('POST', `${orders}/orders`, {
        token: alice,
        body: { item: 'gadget', quantity: 1 },
      }).catch(
        (error: unknown): Answer => ({ status: 0, headers: new Headers(), body: { error: String(error) } }),
      );
      if (res.status === 201) {
        placed++;
        const kid = paymentKid(res.body) ?? '?';
        seen.set(kid, (seen.get(kid) ?? 0) + 1);
      } else {
        failures.push(`${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  await new Promise((resolve) => setTimeout(resolve, 400));

  const calls: Call[] = [];
  let rotated: { previous?: unknown; current?: unknown } = {};
  if (shop.mode === 'token-service') {
    const tokenService = shop.url('token-service');
    const operator = await shop.login.mint({
      user: 'operator',
      audience: tokenService,
      permissions: ['keys:rotate'],
    });
    const res = await send('POST', `${tokenService}/admin/rotate-key`, { token: operator });
    rotated = res.body;
    calls.push(
      call(
        'operator',
        'token-service',
        'POST /admin/rotate-key',
        res.status,
        res.body,
        { status: 200 },
        `signing key ${short(res.body.previous)} → ${short(res.body.current)}`,
      ),
    );
    const admin = await shop.login.mint({
      user: 'operator',
      audience: AUD.orders,
      permissions: ['orders:admin'],
    });
    const refreshed = await send('POST', `${orders}/admin/refresh-tokens`, { token: admin });
    calls.push(
      call(
        'operator',
        'orders',
        'POST /admin/refresh-tokens',
        refreshed.status,
        refreshed.body,
        { status: 200 },
        'cached tokens dropped: new tokens come signed with the new key',
      ),
    );
  } else {
    const admin = await shop.login.mint({
      user: 'operator',
      audience: AUD.orders,
      permissions: ['orders:admin'],
    });
    const res = await send('POST', `${orders}/admin/rotate-key`, { token: admin });
    rotated = res.body;
    calls.push(
      call(
        'operator',
        'orders',
        'POST /admin/rotate-key',
        res.status,
        res.body,
        { status: 200 },
        `signing key ${short(res.body.previous)} → ${short(res.body.current)}`,
      ),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 800));
  running = false;
  await Promise.all(workers);

  const previous = text(rotated.previous);
  const current = text(rotated.current);
  const problems: string[] = [];
  if (failures.length > 0)
    problems.push(`${failures.length} calls failed during the rotation, e.g. ${failures[0]}`);
  if (!kidsBefore.includes(current))
    problems.push(`the new key ${current} was not published before it signed`);
  if (!(seen.get(previous) && seen.get(current))) {
    problems.push(
      `expected calls signed with both ${previous} and ${current}, saw ${JSON.stringify(Object.fromEntries(seen))}`,
    );
  }
  const issuer = shop.mode === 'token-service' ? "the token service's" : "orders'";
  return step(
    7,
    `Rotating ${issuer} signing key in the middle of traffic`,
    calls,
    [
      `published before the rotation: ${kidsBefore.map(short).join(', ')} (the next key ${short(current)} among them)`,
      `orders placed meanwhile: ${placed}, failed: ${failures.length}`,
      `payments saw tokens signed with ${[...seen].map(([kid, count]) => `${short(kid)} ×${count}`).join(', ')}`,
    ],
    problems,
  );
}
