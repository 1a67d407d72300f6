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
 * chromium; `e2e` starts servers (and clusters); `heavy` is e2e whose tests run tens of playbooks
 * at once. `npm test` runs them all.
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
/**
 * Each of these holds both cores for minutes (20 runs at once on a lab element, 200 checks of a
 * fleet). Two of them side by side, or one beside a cluster test, starve each other's runs into
 * their timeouts: they run one at a time, after the other tiers, with the machine to themselves.
 */
const HEAVY = ['test/lab/hlr.test.ts', 'test/lab/radius.test.ts', 'test/lab/sip.test.ts', 'test/lab/sync.test.ts', 'test/sync-fleet.test.ts'];

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
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: [...UNIT, ...DB, ...RUNNER, ...BROWSER, ...HEAVY] } },
      { extends: true, test: { name: 'heavy', include: HEAVY, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
