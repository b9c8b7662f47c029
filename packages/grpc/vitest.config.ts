import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The README example imports the package by name; test it against the sources.
const alias = { '@org/auth-grpc': here('./src/index.ts') };

// Every test runs against the current grpc-js, and again against the oldest supported one (1.10.0,
// installed as `grpc-js-1.10`), as the Express adapter does for Express 4.
export default mergeConfig(
  packageTestConfig({ alias }),
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'grpc-js current' } },
        {
          extends: true,
          test: {
            name: 'grpc-js 1.10',
            typecheck: { enabled: false },
            alias: { ...alias, '@grpc/grpc-js': here('./node_modules/grpc-js-1.10') },
            env: { GRPC_JS_LINE: '1.10' },
          },
        },
      ],
    },
  }),
);
