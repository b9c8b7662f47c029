import { afterEach, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

it('README example runs', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import('../examples/verify-with-jose.js');
  expect(log.mock.calls).toEqual([
    ['accepted', 'billing'],
    ['rejected', 'ERR_JWT_EXPIRED'],
  ]);
});
