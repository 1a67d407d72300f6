import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { rawQuery } from './support/client.ts';
import { ADD_ITEMS, Cluster, compensationOf, CREATE_PRODUCT, hasExited, pidOfWorker, rawId, seedDemo } from './support/cluster.ts';
import { groupAlive } from './support/processes.ts';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import { allEvents, provision, waitForRun, type StartedRun } from './support/runs.ts';
import type { ServerProcess, WorkerProcess } from './support/server-process.ts';
import { eventually } from './support/wait.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';

// Workers whose clocks are 30 s off (libfaketime: the process's clock only, not the kernel's)
// beside an API instance whose clock is right: heartbeats are stamped and judged by the
// database's clock, so none of them looks dead while it runs, and a dead one looks dead soon.

if (!postgresBinDir) console.warn('cluster clock tests skipped: no PostgreSQL binaries (initdb, postgres) on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin');

/** libfaketime, which .ci/run installs: where Debian puts it for this machine's architecture. */
function findLibfaketime(): string {
  const candidates = fs.readdirSync('/usr/lib').map((dir) => `/usr/lib/${dir}/faketime/libfaketime.so.1`);
  const found = [...candidates, '/usr/lib/faketime/libfaketime.so.1'].find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error('libfaketime is not installed (apt-get install faketime)');
  return found;
}

const skewed = (offset: string) => ({ LD_PRELOAD: findLibfaketime(), FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' });

const slowProvision = (customerRef: string, seconds: number) => ({
  productSlug: 'voip-line',
  customerRef,
  variables: { caller_id_name: 'Clock', sip_password: `sip-password-${customerRef}`, simulate_delay_seconds: seconds },
});

describe.skipIf(!postgresBinDir)('cluster profile: workers whose clocks are 30 s off', () => {
  let postgres: PrivatePostgres;
  let api: ServerProcess;
  let ahead: WorkerProcess;
  let behind: WorkerProcess;
  const cluster = new Cluster({ PROVISIO_MAX_CONCURRENT_RUNS: '2', PROVISIO_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', PROVISIO_WEBHOOK_RETRY_BASE_MS: '200' });

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    await cluster.open(postgres.url());
    api = await cluster.startApi();
    // Alone at first: the webhook below is sent by the worker whose clock is ahead.
    ahead = await cluster.startWorker(skewed('+30s'));
    await seedDemo(api);
    const numbers = Array.from({ length: 10 }, (_, index) => ({ kind: 'PHONE_NUMBER', identifier: `+4930666${String(index).padStart(4, '0')}` }));
    expect((await rawQuery<{ addInventoryItems: { __typename: string } }>(api, ADD_ITEMS, { items: numbers })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
  });
  afterAll(async () => {
    await cluster.close();
    await postgres?.destroy();
  });

  const workerOf = async (runId: string) =>
    (await cluster.db.query<{ workerId: string; pid: number }>(`SELECT "workerId", pid FROM "ProvisioningRun" WHERE id = $1::uuid`, [rawId(runId)])).rows[0]!;

  it('a worker ahead retries a refused webhook after its backoff, not 30 s late', async () => {
    onTestFailed(() => cluster.dumpOutputs());
    const receiver = await startWebhookReceiver({ answers: [503] });
    try {
      const created = await rawQuery<{ createWebhookEndpoint: { __typename: string } }>(
        api,
        'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename } }',
        { input: { name: 'clock', url: receiver.url, events: ['POOL_LOW'] } },
      );
      expect(created.createWebhookEndpoint.__typename).toBe('CreateWebhookEndpointSuccess');
      // A product whose pool is below its alert threshold from the start.
      const product = { slug: 'alerting', name: 'Alerting', provisionPlaybook: 'voip-line/provision.yml', deprovisionPlaybook: 'voip-line/deprovision.yml', inventoryRequirements: [{ kind: 'PHONE_NUMBER' }], poolAlertBelow: 1000 };
      expect((await rawQuery<{ createProduct: { __typename: string } }>(api, CREATE_PRODUCT, { input: product })).createProduct.__typename).toBe('CreateProductSuccess');
      // The retry is due 200 ms (± 20 %) after the refusal; by the worker's own clock it would be 30 s.
      await eventually(() => receiver.received.length, (count) => count >= 2, 'a refused attempt and its retry', 15_000);
      expect(receiver.received.map((request) => request.answeredWith)).toEqual([503, 200]);
    } finally {
      await receiver.close();
    }
  });

  it('runs on both workers finish: neither looks dead to the other nor to the API', async () => {
    onTestFailed(() => cluster.dumpOutputs());
    behind = await cluster.startWorker(skewed('-30s'));
    // Two slots each: four runs of several seconds need both workers, over a few heartbeats.
    const started = await Promise.all([0, 1, 2, 3].map((index) => provision(api, slowProvision(`both-${index}`, 6))));
    const runs = await Promise.all(started.map(({ runId }) => waitForRun(api, runId, 120_000)));
    expect(runs.map((run) => [run.status, run.statusReason])).toEqual(runs.map(() => ['SUCCEEDED', null]));
    const pids = new Set<number>();
    for (const { runId } of started) pids.add(pidOfWorker((await workerOf(runId)).workerId));
    expect(pids).toEqual(new Set([ahead.process.pid, behind.process.pid]));
  });

  it('a killed worker, ahead or behind, looks dead within seconds: its run ends INTERRUPTED and is compensated', async () => {
    onTestFailed(() => cluster.dumpOutputs());
    const started: StartedRun[] = await Promise.all([0, 1, 2, 3].map((index) => provision(api, slowProvision(`killed-${index}`, 300))));
    // Four playbooks starting beside other work on a busy host take their time to reach the task.
    for (const { runId } of started) {
      await eventually(() => allEvents(api, runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'every run in its slow task', 180_000);
    }
    const placed = [];
    for (const { runId } of started) placed.push({ runId, ...(await workerOf(runId)) });
    for (const victim of [behind, ahead]) {
      const runs = placed.filter((run) => pidOfWorker(run.workerId) === victim.process.pid);
      expect(runs).toHaveLength(2);
      victim.process.kill('SIGKILL');
      await victim.process;
      // Three heartbeats of a second make it stale; generous for a busy host, yet shorter than the 30 s skew.
      for (const run of runs) expect(await waitForRun(api, run.runId, 20_000)).toMatchObject({ status: 'INTERRUPTED' });
      if (victim === behind) {
        for (const run of runs) expect(groupAlive(run.pid)).toBe(false);
      } else {
        // libfaketime skews the process's clock, not the kernel's: the run's start, stamped by the
        // ahead worker, is later than its ansible's start in /proc, so recovery (rightly, on a
        // host whose whole clock is off) does not take that process for the run's. Stopped here.
        for (const run of runs) if (groupAlive(run.pid)) process.kill(-run.pid, 'SIGKILL');
      }
    }
    // The compensations wait for a worker: one whose clock is right.
    await cluster.startWorker();
    for (const { runId } of started) {
      expect(await waitForRun(api, await compensationOf(api, runId, 60_000), 120_000)).toMatchObject({ status: 'SUCCEEDED', service: { status: 'FAILED' } });
    }
    const reserved = await cluster.db.query(`SELECT id FROM "InventoryItem" WHERE status = 'RESERVED'`);
    expect(reserved.rows).toEqual([]);
    expect(await hasExited(cluster.apis[0]!)).toBe(false);
  }, 600_000);
});
