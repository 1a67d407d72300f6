import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDataDir, repoRoot } from './support/app.ts';
import { query } from './support/client.ts';
import { profile } from './support/database.ts';
import { PoolsQuery, ProductsQuery } from './support/documents.ts';
import { allEvents, provision, waitForRun } from './support/runs.ts';
import { graphql } from './gql/gql.ts';

const RunsQuery = graphql(`
  query AllRuns { runs(first: 100) { nodes { id status action compensatesRun { id } } } }
`);
import { spawnServer } from './support/server-process.ts';
import { eventually } from './support/wait.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = freshDataDir();
  dirs.push(dir);
  return dir;
}

describe.skipIf(profile !== 'embedded')('embedded server process', () => {
  it('seeds demo data on first start, refuses a second process on the same data dir, and drains on SIGTERM', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ PROVISIO_DATA_DIR: dataDir });
    const seeded = await query(first, ProductsQuery, {});
    expect(seeded.products.nodes.map((p) => p.slug)).toEqual(['fibre-broadband', 'mobile-sim-plan', 'voip-line']);

    const second = await execa(process.execPath, [path.join(repoRoot, 'src/main.ts')], {
      cwd: repoRoot,
      env: { PORT: '0', PROVISIO_DATA_DIR: dataDir },
      reject: false,
      timeout: 90_000,
    });
    expect(second.exitCode).toBe(3);
    expect(second.stdout + second.stderr).toContain('is in use by another Provisio process');
    // The first server is untouched and still answers.
    expect((await query(first, ProductsQuery, {})).products.totalCount).toBe(3);

    first.process.kill('SIGTERM');
    const result = await first.process;
    expect(result.exitCode).toBe(0);
    expect(result.all).toContain('stopped');
    expect(fs.existsSync(path.join(dataDir, 'provisio.lock'))).toBe(false);

    // A restart reuses the data without seeding twice.
    const again = await spawnServer({ PROVISIO_DATA_DIR: dataDir });
    expect((await query(again, ProductsQuery, {})).products.totalCount).toBe(3);
    again.process.kill('SIGTERM');
    expect((await again.process).exitCode).toBe(0);
  });

  it('creates an admin key on first start, in an owner-only file, and logs where but never the key', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_SEED_DEMO: 'false', PROVISIO_ADMIN_KEY: '' });
    const keyFile = path.join(dataDir, 'admin-key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^pvo_[A-Za-z0-9_-]{43}$/);
    expect((await query({ url: first.url, key }, graphql(`query FirstKey { viewer { role keyName } }`))).viewer).toEqual({ role: 'ADMIN', keyName: 'admin (generated at first start)' });
    first.process.kill('SIGTERM');
    const output = (await first.process).all;
    expect(output).toContain(keyFile);
    expect(output).not.toContain(key);
    // A restart keeps the key (no second one is made while it works).
    const again = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_SEED_DEMO: 'false', PROVISIO_ADMIN_KEY: '' });
    expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(key);
    expect((await query({ url: again.url, key }, graphql(`query FirstKeyAgain { viewer { role } }`))).viewer.role).toBe('ADMIN');
    again.process.kill('SIGTERM');
    expect((await again.process).exitCode).toBe(0);
  });

  it('a restart loads only what serving needs: the runner, key, variable-check and cluster libraries load on first use', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_SEED_DEMO: 'false' });
    first.process.kill('SIGTERM');
    expect((await first.process).exitCode).toBe(0);
    const recorded = path.join(dataDir, 'packages.json');
    const again = await spawnServer({
      PROVISIO_DATA_DIR: dataDir,
      PROVISIO_SEED_DEMO: 'false',
      NODE_OPTIONS: `--import=${path.join(repoRoot, 'test/fixtures/record-packages.ts')}`,
      RECORD_PACKAGES_FILE: recorded,
    });
    expect((await query(again, ProductsQuery, {})).products.totalCount).toBe(0);
    again.process.kill('SIGTERM');
    expect((await again.process).exitCode).toBe(0);
    const loaded = JSON.parse(fs.readFileSync(recorded, 'utf8')) as string[];
    expect(loaded).toEqual(expect.arrayContaining(['@electric-sql/pglite', 'graphql-yoga', 'prom-client']));
    for (const unused of ['execa', 'sshpk', 'ajv', 'rate-limiter-flexible', 'ioredis', 'pg', 'pg-boss', '@prisma/adapter-pg', '@graphql-yoga/render-graphiql']) {
      expect(loaded, unused).not.toContain(unused);
    }
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_SEED_DEMO: 'false' });
    first.process.kill('SIGKILL');
    await first.process;
    expect(fs.existsSync(path.join(dataDir, 'provisio.lock'))).toBe(true);
    const second = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_SEED_DEMO: 'false' });
    expect((await query(second, ProductsQuery, {})).products.totalCount).toBe(0);
    second.process.kill('SIGTERM');
    expect((await second.process).exitCode).toBe(0);
  });
});

/** Processes whose environment names this lab directory: the ansible runs of one server. */
function ansibleProcessesOf(labDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\0').includes(`PROVISIO_LAB_DIR=${labDir}`)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}


describe.skipIf(profile !== 'embedded')('crash recovery', () => {
  it('a SIGTERM mid-run ends the run INTERRUPTED (nobody cancelled it), and it is compensated', async () => {
    const dataDir = tempDataDir();
    const env = { PROVISIO_DATA_DIR: dataDir, PROVISIO_LAB_DIR: path.join(dataDir, 'lab'), PROVISIO_KILL_GRACE_MS: '1000' };
    const first = await spawnServer(env);
    const started = await provision(first, {
      productSlug: 'voip-line',
      customerRef: 'shutdown',
      variables: { caller_id_name: 'Shutdown', sip_password: 'shutdown-test-password', simulate_delay_seconds: 300 },
    });
    await eventually(() => allEvents(first, started.runId), (events) => events.some((e) => e.task === 'Simulate a slow network element'), 'the long task');
    first.process.kill('SIGTERM');
    expect((await first.process).exitCode).toBe(0);

    const second = await spawnServer(env);
    const run = await waitForRun(second, started.runId);
    expect(run).toMatchObject({ status: 'INTERRUPTED', statusReason: 'stopped because the server was shutting down' });
    const compensation = (await query(second, RunsQuery)).runs.nodes.find((candidate) => candidate.compensatesRun?.id === started.runId);
    expect(await waitForRun(second, compensation!.id)).toMatchObject({ status: 'SUCCEEDED', service: { status: 'FAILED' } });
    second.process.kill('SIGTERM');
    expect((await second.process).exitCode).toBe(0);
  });

  it('after kill -9 mid-run: no ansible left, the run INTERRUPTED and compensated on restart, inventory consistent', async () => {
    const dataDir = tempDataDir();
    const labDir = path.join(dataDir, 'lab');
    const env = { PROVISIO_DATA_DIR: dataDir, PROVISIO_LAB_DIR: labDir };
    const first = await spawnServer(env);
    const before = await query(first, PoolsQuery);
    const started = await provision(first, {
      productSlug: 'voip-line',
      customerRef: 'crash',
      variables: { caller_id_name: 'Crash', sip_password: 'crash-test-password', simulate_delay_seconds: 300 },
    });
    await eventually(() => allEvents(first, started.runId), (events) => events.some((e) => e.task === 'Simulate a slow network element'), 'the long task');
    expect(ansibleProcessesOf(labDir).length).toBeGreaterThan(0);

    const runDirsOfFirst = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(`provisio-run-${first.process.pid}-`));
    expect(runDirsOfFirst().length).toBeGreaterThan(0);
    first.process.kill('SIGKILL');
    await first.process;
    // The callback plugin notices its event pipe closed and ends the run's process group.
    await eventually(() => ansibleProcessesOf(labDir), (pids) => pids.length === 0, 'orphaned ansible processes to exit', 30_000);

    const second = await spawnServer(env);
    // The dead server's private run directory is swept at the next start.
    expect(runDirsOfFirst()).toEqual([]);
    const interrupted = await waitForRun(second, started.runId);
    expect(interrupted.status).toBe('INTERRUPTED');
    const events = await allEvents(second, started.runId);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'INTERRUPTED' } });
    const runs = await query(second, RunsQuery);
    const compensation = runs.runs.nodes.find((run) => run.compensatesRun?.id === started.runId);
    expect(compensation).toBeDefined();
    const compensated = await waitForRun(second, compensation!.id);
    expect(compensated.status).toBe('SUCCEEDED');
    expect(compensated.service).toMatchObject({ status: 'FAILED', inventoryItems: [] });
    expect(await query(second, PoolsQuery)).toEqual(before);
    const stuck = await query(second, RunsQuery);
    expect(stuck.runs.nodes.filter((run) => run.status === 'RUNNING' || run.status === 'QUEUED')).toEqual([]);
    second.process.kill('SIGTERM');
    expect((await second.process).exitCode).toBe(0);
  });
});

describe('configuration', () => {
  it('stops with a clear message on invalid settings', async () => {
    const result = await execa(process.execPath, [path.join(repoRoot, 'src/main.ts')], {
      cwd: repoRoot,
      env: { PORT: 'eighty', DATABASE_URL: 'mysql://nope' },
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('DATABASE_URL must be a postgres');
  });
});
