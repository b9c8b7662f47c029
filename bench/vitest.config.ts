import { packageTestConfig } from '../vitest.shared.js';

// The smoke test starts real servers and a real load generator from the built harness (dist/).
export default packageTestConfig({ testTimeout: 120_000 });
