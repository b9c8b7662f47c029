import { describe, expect, it } from 'vitest';
import type { RejectedEvent } from '../../src/events.js';
import { AuthConfigError, createVerifier } from '../../src/index.js';
import { createLogSink, LOG_MAX_CAUSES, LOG_REPEAT_INTERVAL_MS } from '../../src/logging/log-sink.js';
import { bearer, createFixture } from '../support/verifier-fixture.js';

interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields: object;
}

/** A logger in the shape of pino (`warn(fields, message)`), recording what it is told. */
function recordingLogger() {
  const lines: Line[] = [];
  const at = (level: string) => (fields: object, message: string) => lines.push({ level, message, fields });
  return { lines, logger: { warn: at('warn'), info: at('info'), debug: at('debug') } };
}

const rejected = (code: string, found: string, issuer = 'https://orders.internal'): RejectedEvent => ({
  type: 'rejected',
  code: code as never,
  status: 401,
  description: 'x',
  issuer,
  detail: { field: 'iss', found, explanation: `iss is "${found}"` },
});

describe('the logger option', () => {
  it('warns once about an untrusted issuer, naming both issuers, however many requests carry it', async () => {
    const { lines, logger } = recordingLogger();
    const { with: build, sign } = await createFixture();
    const verifier = build({ logger });
    const token = await sign({ iss: 'billing' });
    for (let i = 0; i < 50; i++) await verifier.authenticate(bearer(token)).catch(() => undefined);
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toBe(
      'untrusted issuer: iss is "billing", expected "https://orders.internal"',
    );
    expect(JSON.stringify(lines)).not.toContain(token.split('.')[2]);
  });

  it('reports a cause again after the interval, with how often it happened meanwhile', () => {
    const { lines, logger } = recordingLogger();
    const clock = { now: 0 };
    const sink = createLogSink(logger, () => clock.now);
    for (let i = 0; i < 5; i++) sink(rejected('invalid_issuer', 'billing'));
    clock.now = LOG_REPEAT_INTERVAL_MS - 1;
    sink(rejected('invalid_issuer', 'billing'));
    expect(lines).toHaveLength(1);
    clock.now = LOG_REPEAT_INTERVAL_MS;
    sink(rejected('invalid_issuer', 'billing'));
    expect(lines.map((line) => line.message)).toEqual([
      'untrusted issuer: iss is "billing"',
      'untrusted issuer: iss is "billing" (5 more since the last report)',
    ]);
  });

  it('tells distinct causes apart, and remembers a bounded number of them', () => {
    const { lines, logger } = recordingLogger();
    const sink = createLogSink(logger, () => 0);
    sink(rejected('invalid_issuer', 'billing'));
    sink(rejected('invalid_issuer', 'shipping'));
    sink(rejected('unknown_key', 'k9'));
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn', 'warn']);
    for (let i = 0; i < LOG_MAX_CAUSES * 4; i++) sink(rejected('invalid_issuer', `flood-${i}`));
    // The first cause was forgotten: it is reported again rather than remembered forever.
    sink(rejected('invalid_issuer', 'billing'));
    expect(lines.at(-1)?.message).toBe('untrusted issuer: iss is "billing"');
  });

  it('writes other rejections at debug level and key-server trouble as warnings; never acceptances', () => {
    const { lines, logger } = recordingLogger();
    const sink = createLogSink(logger, () => 0);
    sink({ type: 'accepted', cached: false, issuer: 'https://orders.internal' });
    sink({
      ...rejected('token_expired', '1'),
      detail: { field: 'exp', explanation: 'exp is 2026 (expired 3 min ago)' },
    });
    sink({
      type: 'keys_fetch_failed',
      issuer: 'https://orders.internal',
      reason: 'answered HTTP 404',
      servingStaleKeys: true,
      retryInMs: 1000,
    });
    sink({
      type: 'keys_refreshed',
      issuer: 'https://orders.internal',
      keys: 0,
      skipped: ['k1: RSA key shorter than 2048 bits'],
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'debug',
        message: 'rejected token_expired: exp is 2026 (expired 3 min ago)',
      }),
      expect.objectContaining({
        level: 'warn',
        message:
          'keys of https://orders.internal could not be fetched: answered HTTP 404 (older keys keep serving)',
      }),
      expect.objectContaining({
        level: 'warn',
        message:
          'no key of https://orders.internal is usable with the configured algorithms (skipped: k1: RSA key shorter than 2048 bits)',
      }),
    ]);
  });

  it('works with a logger that has only warn, and a throwing logger never changes a decision', async () => {
    const { with: build, sign } = await createFixture();
    const warnOnly = build({ logger: { warn: () => undefined } });
    await expect(warnOnly.authenticate(bearer(await sign({ exp: 1 })))).rejects.toMatchObject({
      code: 'token_expired',
    });
    const throwing = build({
      logger: {
        warn: () => {
          throw new Error('disk full');
        },
      },
    });
    await expect(throwing.authenticate(bearer(await sign({ iss: 'billing' })))).rejects.toMatchObject({
      code: 'invalid_issuer',
    });
    await expect(throwing.authenticate(bearer(await sign()))).resolves.toBeDefined();
  });

  it.each([
    [{}, /^logger: expected an object with warn\(\), info\(\) and debug\(\) methods/],
    ['console', /^logger: expected an object/],
    [{ warn: () => undefined, debug: 'yes' }, /^logger\.debug: expected/],
  ])('refuses a bad logger at construction (%#)', (logger, message) => {
    const build = () =>
      createVerifier({
        issuers: [{ issuer: 'https://a', secret: 'x'.repeat(32), algorithms: ['HS256'] }],
        audience: 'b',
        logger: logger as never,
      });
    expect(build).toThrow(AuthConfigError);
    expect(build).toThrow(message);
  });

  it('accepts console', () => {
    expect(() =>
      createVerifier({
        issuers: [{ issuer: 'https://a', secret: 'x'.repeat(32), algorithms: ['HS256'] }],
        audience: 'b',
        logger: console,
      }),
    ).not.toThrow();
  });
});
