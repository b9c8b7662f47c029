import { fileURLToPath } from 'node:url';
import { packageTestConfig } from '../../vitest.shared.js';

// The README example imports the package by name; test it against the sources.
export default packageTestConfig({
  alias: { '@org/auth-koa': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
});
