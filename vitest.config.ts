import { defineConfig } from 'vitest/config';
import { PGLITE_NODE_FLAGS } from './src/infra/db/pglite-options.ts';

// graphql 17 has a `development` export condition. Vite adds that condition when it resolves our
// own imports, while Node (which loads Yoga and Pothos) does not: two graphql instances. Resolve
// the way Node does.
const nodeConditions = ['module', 'node', 'production'];

export default defineConfig({
  resolve: { conditions: nodeConditions },
  ssr: { resolve: { conditions: nodeConditions } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file starts real servers, PGlite instances and ansible-playbook: two at a time fits 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    // Test files open PGlite in-process: the same V8 flags as the server.
    execArgv: PGLITE_NODE_FLAGS,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
