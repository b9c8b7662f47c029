import { packageTestConfig } from '../../vitest.shared.js';

export default packageTestConfig({
  coverage: {
    provider: 'v8',
    include: ['src/**/*.ts'],
    exclude: ['src/index.ts', 'src/protocol.ts', 'src/adapter/index.ts'],
    reporter: ['text-summary', 'json-summary', 'lcov'],
    reportsDirectory: 'reports/coverage',
    thresholds: { lines: 97, branches: 90, functions: 90, statements: 97 },
  },
});
