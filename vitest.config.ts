import { defineConfig } from 'vitest/config';
import { LongFirstSequencer } from './test/support/long-first-sequencer.ts';
import { PGLITE_NODE_FLAGS } from './src/infra/db/pglite/options.ts';

// graphql 17 has a `development` export condition. Vite adds that condition when it resolves our
// own imports, while Node (which loads Yoga and Pothos) does not: two graphql instances. Resolve
// the way Node does.
const nodeConditions = ['module', 'node', 'production'];

/**
 * Test tiers, each a vitest project (`vitest run --project unit`): `unit` needs no server, no
 * Ansible and no database server (`npm run test:unit`, the fast loop); `db` opens databases in
 * process; `runner` runs the real ansible-playbook without a server; `browser` drives Debian's
 * chromium; `e2e` starts servers (and clusters). `npm test` runs them all.
 */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/runner/parser.test.ts',
  'test/runner/mask.test.ts',
  'test/runner/sweep.test.ts',
  'test/lifecycle.test.ts',
  'test/background-lane.test.ts',
];
const DB = ['test/migrate.test.ts', 'test/sql-execute.test.ts', 'test/reclaim-space.test.ts'];
const RUNNER = ['test/runner/**/*.test.ts'];
const BROWSER = ['test/browser/**/*.test.ts'];

export default defineConfig({
  resolve: { conditions: nodeConditions },
  ssr: { resolve: { conditions: nodeConditions } },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Each file starts real servers, PGlite instances and ansible-playbook: two at a time fits 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    // Test files open PGlite in-process: the same V8 flags as the server.
    execArgv: PGLITE_NODE_FLAGS,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    sequence: { sequencer: LongFirstSequencer },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      { extends: true, test: { name: 'db', include: DB } },
      { extends: true, test: { name: 'runner', include: RUNNER, exclude: UNIT } },
      { extends: true, test: { name: 'browser', include: BROWSER } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: [...UNIT, ...DB, ...RUNNER, ...BROWSER] } },
    ],
  },
});
