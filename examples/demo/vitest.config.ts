import { packageTestConfig } from '../../vitest.shared.js';

// Real processes on loopback: allow for start-up (tsx compiles each service on first run).
export default packageTestConfig({ testTimeout: 60_000, hookTimeout: 90_000 });
