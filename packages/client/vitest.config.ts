import { fileURLToPath } from 'node:url';
import { packageTestConfig } from '../../vitest.shared.js';

// README examples import the package by name; point that name at the sources under test.
export default packageTestConfig({
  alias: { '@org/auth-client': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
});
