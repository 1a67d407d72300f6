import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInventory, demoProducts } from '../src/demo/seed.ts';
import { newAdminKey, repoRoot } from './support/app.ts';
import { type Endpoint, rawQuery } from './support/client.ts';
import { createTestDatabase, postgresServerUrl } from './support/database.ts';
import { allEvents, provision, waitForRun } from './support/runs.ts';
import { alive } from './support/processes.ts';
import { spawnServer, type ServerProcess } from './support/server-process.ts';
import { eventually } from './support/wait.ts';

// PostgreSQL without Redis: one process executes the runs. Killed with -9 and started again on
// the same host, it knows at once that its predecessor is gone (same pid space, pid ended): the
// runs it left RUNNING are recovered at start, not after three missed heartbeats.

/** Three missed beats of a minute: the heartbeat path would need three minutes, far beyond the waits below. */
const HEARTBEAT_SECONDS = '60';

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':').pop()!;
const longProvision = (customerRef: string) => ({
  productSlug: 'voip-line',
  customerRef,
  variables: { caller_id_name: 'Restart', sip_password: `sip-password-${customerRef}`, simulate_delay_seconds: 300 },
});


async function seedDemo(endpoint: Endpoint): Promise<void> {
  for (const input of demoProducts) {
    const created = await rawQuery(endpoint, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { __typename } }', { input });
    expect(created.createProduct.__typename).toBe('CreateProductSuccess');
  }
  const added = await rawQuery(endpoint, 'mutation($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) { __typename } }', { items: demoInventory() });
  expect(added.addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
}

describe.skipIf(!postgresServerUrl)('PostgreSQL, one process: a restart on the same host', () => {
  const dirs: string[] = [];
  const children: ServerProcess[] = [];
  let database: { url: string; drop(): Promise<void> };
  let db: pg.Client;
  let env: Record<string, string>;
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-restart-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string) => {
    const server = await spawnServer({ ...env, PROVISIO_DATA_DIR: dataDir });
    children.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await createTestDatabase(postgresServerUrl!);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    env = {
      DATABASE_URL: database.url,
      PROVISIO_ADMIN_KEY: newAdminKey(),
      PROVISIO_SECRET_KEY: randomBytes(32).toString('base64'),
      PROVISIO_HEARTBEAT_SECONDS: HEARTBEAT_SECONDS,
      PROVISIO_KILL_GRACE_MS: '1000',
      PROVISIO_SHUTDOWN_GRACE_MS: '0',
      PROVISIO_PLAYBOOKS_DIR: path.join(repoRoot, 'playbooks'),
      PROVISIO_LAB_DIR: tempDir(),
      PROVISIO_SEED_DEMO: 'false',
    };
  });
  afterAll(async () => {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((child) => child.process));
    await db?.end();
    await database?.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("recovers the killed predecessor's run at start and compensates it; a run of a process still alive on the host stays RUNNING", async () => {
    const first = await start(tempDir());
    // Another process on the same host and database, alive throughout: its run is not an orphan.
    const neighbour = await start(tempDir());
    await seedDemo(first);
    const doomed = await provision(first, longProvision('restart-doomed'));
    const kept = await provision(neighbour, longProvision('restart-kept'));
    for (const [endpoint, run] of [[first, doomed], [neighbour, kept]] as const) {
      await eventually(() => allEvents(endpoint, run.runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'the long task');
    }
    const owners = await db.query<{ id: string; workerId: string; pid: number }>(`SELECT id, "workerId", pid FROM "ProvisioningRun" WHERE id = ANY($1::uuid[])`, [[rawId(doomed.runId), rawId(kept.runId)]]);
    const ownerOf = (runId: string) => owners.rows.find((row) => row.id === rawId(runId))!;
    expect(Number(ownerOf(doomed.runId).workerId.split(':').at(-2))).toBe(first.process.pid);
    expect(Number(ownerOf(kept.runId).workerId.split(':').at(-2))).toBe(neighbour.process.pid);

    first.process.kill('SIGKILL');
    await first.process;
    // The neighbour looks as dead by its heartbeats as the killed process does: only the process check tells them apart.
    await db.query(`UPDATE "Worker" SET "heartbeatAt" = now() - interval '1 hour' WHERE id = $1`, [ownerOf(kept.runId).workerId]);
    const restarted = await start(tempDir());

    const interrupted = await waitForRun(restarted, doomed.runId, 30_000);
    expect(interrupted).toMatchObject({ status: 'INTERRUPTED', statusReason: expect.stringContaining(ownerOf(doomed.runId).workerId) });
    const compensations = await eventually(
      () => rawQuery(restarted, '{ runs(first: 100) { nodes { id compensatesRun { id } } } }'),
      (data) => data.runs.nodes.some((run: { compensatesRun: { id: string } | null }) => run.compensatesRun?.id === doomed.runId),
      'the compensating run',
      30_000,
    );
    const compensation = compensations.runs.nodes.find((run: { compensatesRun: { id: string } | null }) => run.compensatesRun?.id === doomed.runId).id as string;
    expect(await waitForRun(restarted, compensation, 60_000)).toMatchObject({ status: 'SUCCEEDED', service: { status: 'FAILED' } });

    // The neighbour's run is untouched: its process is alive.
    const neighbours = await db.query<{ status: string; workerId: string }>(`SELECT status, "workerId" FROM "ProvisioningRun" WHERE id = $1::uuid`, [rawId(kept.runId)]);
    expect(neighbours.rows[0]).toEqual({ status: 'RUNNING', workerId: ownerOf(kept.runId).workerId });
    expect(alive(-ownerOf(kept.runId).pid)).toBe(true);
  });
});
