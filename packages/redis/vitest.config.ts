import { fileURLToPath } from 'node:url';
import { packageTestConfig } from '../../vitest.shared.js';

// The README example imports the package by name; point that name at the sources under test.
export default packageTestConfig({
  alias: { '@org/auth-redis': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
});
