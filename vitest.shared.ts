import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The one vitest configuration of the repository. Each package's `vitest.config.ts` calls it, so
 * turbo can run and cache packages separately while every report lands in `reports/`, where
 * `scripts/test-summary.mjs` adds them up for CI.
 */
export function packageTestConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
      typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
      ...overrides,
    },
  });
}
