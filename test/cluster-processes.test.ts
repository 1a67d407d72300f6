import path from 'node:path';
import net from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProducts } from '../src/demo/seed.ts';
import { repoRoot } from './support/app.ts';
import { rawQuery } from './support/client.ts';
import { ADD_ITEMS, Cluster, compensationOf, CREATE_PRODUCT, rawId, seedDemo } from './support/cluster.ts';
import { alive, groupAlive } from './support/processes.ts';
import { postgresServerUrl } from './support/database.ts';
import { allEvents, expectContiguous, provision, streamEvents, waitForRun } from './support/runs.ts';
import { type ServerProcess } from './support/server-process.ts';
import { freePort } from './support/private-postgres.ts';
import { eventually } from './support/wait.ts';
import { startWebhookReceiver, verifyWebhook, type WebhookReceiver } from './support/webhook-receiver.ts';

const gql = rawQuery;

async function tmf(endpoint: ServerProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, endpoint.url), { method, headers: { authorization: `Bearer ${endpoint.key}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read loosely by design
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const CANCEL = 'mutation($id: ID!) { cancelRun(id: $id) { __typename ... on Error { message } } }';

const longProvision = (customerRef: string) => ({
  productSlug: 'voip-line',
  customerRef,
  variables: { caller_id_name: 'Cluster', sip_password: `sip-password-${customerRef}`, simulate_delay_seconds: 300 },
});

describe.skipIf(!postgresServerUrl)('cluster profile: 2 API instances and 2 workers as processes', () => {
  const cluster = new Cluster({ PROVISIO_MAX_CONCURRENT_RUNS: '1', PROVISIO_SHUTDOWN_GRACE_MS: '3000', PROVISIO_METRICS_PORT: '0', PROVISIO_MIN_AUDIT_INTERVAL_SECONDS: '60' });
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    await cluster.open();
    a = await cluster.startApi();
    b = await cluster.startApi();
    await cluster.startWorker();
    await cluster.startWorker();
    await seedDemo(a);
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('spreads runs over both workers; a subscriber on the other API instance gets every event once, in order', async () => {
    // Each worker takes one run at a time and each run lasts seconds: two at once need both workers.
    const started = await Promise.all(
      [a, b, a, b].map((api, index) =>
        provision(api, { productSlug: 'voip-line', customerRef: `spread-${index}`, variables: { caller_id_name: 'Spread', sip_password: `sip-password-spread-${index}`, simulate_delay_seconds: 2 } }),
      ),
    );
    const streamed = await streamEvents(b, 'ws', started[0]!.runId);
    const runs = await Promise.all(started.map(({ runId }) => waitForRun(a, runId)));
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expectContiguous(streamed, 1, runs[0]!.lastSeq);
    expect(streamed.map((event) => event.seq)).toEqual((await allEvents(a, started[0]!.runId)).map((event) => event.seq));
    const { rows } = await cluster.db.query<{ workerId: string }>(`SELECT DISTINCT "workerId" FROM "ProvisioningRun" WHERE id = ANY($1::uuid[])`, [started.map(({ runId }) => rawId(runId))]);
    const workerPids = new Set(cluster.workers.map((worker) => worker.process.pid));
    expect(rows.map((row) => Number(row.workerId.split(':').at(-2)))).toSatisfy((pids: number[]) => pids.length === 2 && pids.every((pid) => workerPids.has(pid)));
    // Each worker counts the runs it executed on its own /metrics port (a staff key, as on the API).
    const finished = await Promise.all(
      cluster.workers.map(async (worker) => {
        const url = /"metrics":"(http[^"]+)"/.exec(worker.output())![1]!;
        expect((await fetch(url)).status).toBe(401);
        const text = await (await fetch(url, { headers: { authorization: `Bearer ${a.key}` } })).text();
        const line = text.split('\n').find((candidate) => candidate.startsWith('provisio_runs_finished_total{') && candidate.includes('status="SUCCEEDED"') && candidate.includes('product="voip-line"'));
        return Number(line?.split(' ').at(-1) ?? 0);
      }),
    );
    expect(finished.every((count) => count > 0)).toBe(true);
    expect(finished.reduce((sum, count) => sum + count, 0)).toBe(4);
  });

  it('starts runs scheduled through both API instances at their time, each queued once by whichever process looked first', async () => {
    // Numbers of their own: the tests after this one use the demo pool.
    const numbers = [1, 2, 3, 4].map((i) => ({ kind: 'PHONE_NUMBER', identifier: `+4930666000${i}` }));
    expect((await gql(a, ADD_ITEMS, { items: numbers })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
    const notBefore = new Date(Date.now() + 4_000).toISOString();
    const started = await Promise.all(
      [a, b, a, b].map((api, index) =>
        provision(api, { productSlug: 'voip-line', customerRef: `scheduled-${index}`, variables: { caller_id_name: 'Scheduled', sip_password: `sip-password-scheduled-${index}` }, notBefore }),
      ),
    );
    const runs = await Promise.all(started.map(({ runId }) => waitForRun(a, runId)));
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const { rows } = await cluster.db.query<{ late: number }>(
      `SELECT EXTRACT(EPOCH FROM ("queuedAt" - "notBefore"))::float8 AS late FROM "ProvisioningRun" WHERE id = ANY($1::uuid[])`,
      [started.map(({ runId }) => rawId(runId))],
    );
    expect(rows.every((row) => row.late >= 0)).toBe(true);
    for (const { runId } of started) expect((await allEvents(a, runId)).filter((event) => event.type === 'playbook_start')).toHaveLength(1);
    // Four processes look for due runs; their logs together queued each run once.
    const queuedBy = [...cluster.apis, ...cluster.workers].map((process) =>
      process.output().split('\n').filter((line) => line.includes('scheduled runs queued at their time')).reduce((sum, line) => sum + (JSON.parse(line) as { runs: number }).runs, 0),
    );
    expect(queuedBy.reduce((sum, count) => sum + count, 0)).toBe(4);
  });

  it('queues an order\'s lines in one pg-boss insert from an API instance: the workers run them all and the order completes', async () => {
    const numbers = [1, 2, 3].map((i) => ({ kind: 'PHONE_NUMBER', identifier: `+4930888000${i}` }));
    expect((await gql(a, ADD_ITEMS, { items: numbers })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
    const spec = (await tmf(a, 'GET', '/tmf-api/serviceCatalogManagement/v4/serviceSpecification?name=VoIP%20line&fields=id')).body[0].id;
    const line = (id: string) => ({
      id,
      action: 'add',
      service: { serviceSpecification: { id: spec }, serviceCharacteristic: [{ name: 'caller_id_name', value: `Line ${id}` }, { name: 'sip_password', value: `sip-password-order-${id}` }] },
    });
    const placed = await tmf(a, 'POST', '/tmf-api/serviceOrdering/v4/serviceOrder', { relatedParty: [{ id: 'cluster-order', role: 'Customer', '@referredType': 'Customer', '@type': 'RelatedParty' }], serviceOrderItem: ['1', '2', '3'].map(line) });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const order = await eventually(async () => (await tmf(b, 'GET', `/tmf-api/serviceOrdering/v4/serviceOrder/${placed.body.id}?fields=state`)).body, (body) => body.state !== 'acknowledged' && body.state !== 'inProgress', 'the order to finish', 180_000);
    expect(order.state).toBe('completed');
    const { rows } = await cluster.db.query<{ runs: number; jobs: number }>(
      `SELECT count(DISTINCT r.id)::int AS runs, count(DISTINCT j.id)::int AS jobs FROM "ServiceOrderItem" i JOIN "ProvisioningRun" r ON r.id = i."runId" LEFT JOIN pgboss.job j ON j.data->>'runId' = r.id::text WHERE i."orderId" = $1::uuid`,
      [placed.body.id],
    );
    expect(rows[0]).toEqual({ runs: 3, jobs: 3 });
  });

  it('runs a scheduled sync audit once per occurrence across two API instances and two workers', async () => {
    const product = (await gql(a, '{ product(slug: "voip-line") { id } }')).product.id;
    const UPDATE = 'mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { __typename } }';
    const BULKS = '{ bulkOperations(first: 100) { nodes { createdAt state selection } } }';
    const before = (await gql(b, BULKS)).bulkOperations.nodes.length;
    // pg-boss schedules fire at most once a minute: every minute, for a little over one.
    const from = Date.now();
    expect((await gql(a, UPDATE, { id: product, input: { syncCheckSchedule: { cron: '* * * * *' } } })).updateProduct.__typename).toBe('UpdateProductSuccess');
    await new Promise((resolve) => setTimeout(resolve, 66_000));
    expect((await gql(b, UPDATE, { id: product, input: { syncCheckSchedule: null } })).updateProduct.__typename).toBe('UpdateProductSuccess');
    const minutes = Math.floor(Date.now() / 60_000) - Math.floor(from / 60_000);
    // Let what the last occurrence started end before the next test needs the workers.
    const bulks = await eventually(async () => (await gql(b, BULKS)).bulkOperations.nodes, (nodes) => nodes.every((node: { state: string }) => node.state !== 'RUNNING'), 'the audits to end', 120_000);
    const audits = bulks.length - before;
    // Each of the four processes scheduling on its own would make four times as many.
    expect(audits).toBeGreaterThanOrEqual(1);
    expect(audits).toBeLessThanOrEqual(minutes + 1);
    expect(bulks.slice(0, audits).every((node: { selection: { productSlug: string } }) => node.selection.productSlug === 'voip-line')).toBe(true);
  }, 300_000);

  it('cancels, through the other API instance, a run executing on a worker', async () => {
    const started = await provision(a, longProvision('cancel-elsewhere'));
    await eventually(() => allEvents(a, started.runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'the long task');
    const cancelledAt = Date.now();
    expect((await gql<{ cancelRun: { __typename: string } }>(b, CANCEL, { id: started.runId })).cancelRun.__typename).toBe('CancelRunSuccess');
    const run = await waitForRun(a, started.runId);
    expect(run.status).toBe('CANCELED');
    // SIGINT, then SIGKILL after the 1 s grace: well within seconds, not the 300 s task.
    expect(Date.now() - cancelledAt).toBeLessThan(15_000);
    expect(await waitForRun(b, await compensationOf(b, started.runId))).toMatchObject({ status: 'SUCCEEDED', service: { status: 'FAILED' } });
  });

  it('SIGTERM drains a worker: it stops taking runs, and a run still going after the grace ends INTERRUPTED and is compensated elsewhere', async () => {
    const started = await provision(a, longProvision('worker-drained'));
    await eventually(() => allEvents(a, started.runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'the long task');
    const { rows } = await cluster.db.query<{ workerId: string }>(`SELECT "workerId" FROM "ProvisioningRun" WHERE id = $1::uuid`, [rawId(started.runId)]);
    const draining = cluster.workers.find((worker) => worker.process.pid === Number(rows[0]!.workerId.split(':').at(-2)))!;
    const stoppedAt = Date.now();
    draining.process.kill('SIGTERM');
    expect((await draining.process).exitCode).toBe(0);
    // The grace (3 s) then the kill grace (1 s): not the 300 s of the task.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(3000);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(draining.output()).toContain('waiting for running runs to finish');
    expect(await waitForRun(a, started.runId)).toMatchObject({ status: 'INTERRUPTED', statusReason: 'stopped because the worker was shutting down' });
    const compensation = await compensationOf(a, started.runId);
    expect(await waitForRun(a, compensation)).toMatchObject({ status: 'SUCCEEDED', service: { status: 'FAILED' } });
    const executor = await cluster.db.query<{ workerId: string }>(`SELECT "workerId" FROM "ProvisioningRun" WHERE id = $1::uuid`, [rawId(compensation)]);
    expect(executor.rows[0]!.workerId).not.toBe(rows[0]!.workerId);
    cluster.workers.splice(cluster.workers.indexOf(draining), 1);
    await cluster.startWorker();
  });

  it('kill -9 of a worker mid-run: the run ends INTERRUPTED, the other worker compensates it, no ansible is left, nothing stays RESERVED', async () => {
    const started = await provision(b, longProvision('worker-killed'));
    await eventually(() => allEvents(b, started.runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'the long task');
    const { rows } = await cluster.db.query<{ workerId: string; pid: number }>(`SELECT "workerId", pid FROM "ProvisioningRun" WHERE id = $1::uuid`, [rawId(started.runId)]);
    const { workerId, pid: ansiblePid } = rows[0]!;
    const victim = cluster.workers.find((worker) => worker.process.pid === Number(workerId.split(':').at(-2)))!;
    expect(victim).toBeDefined();
    victim.process.kill('SIGKILL');
    await victim.process;

    const run = await waitForRun(a, started.runId, 60_000);
    expect(run).toMatchObject({ status: 'INTERRUPTED' });
    expect(run.statusReason).toContain(workerId);
    expect(await waitForRun(a, await compensationOf(a, started.runId))).toMatchObject({ status: 'SUCCEEDED', service: { status: 'FAILED' } });
    expect(groupAlive(ansiblePid)).toBe(false);
    const reserved = await cluster.db.query(`SELECT id FROM "InventoryItem" WHERE status = 'RESERVED'`);
    expect(reserved.rows).toEqual([]);
  });

  it('a worker whose run was taken over (it looked dead) stops that playbook and leaves the recovered outcome alone', async () => {
    const started = await provision(a, longProvision('taken-over'));
    await eventually(() => allEvents(a, started.runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'the long task');
    const id = rawId(started.runId);
    const { rows } = await cluster.db.query<{ pid: number; workerId: string }>(`SELECT pid, "workerId" FROM "ProvisioningRun" WHERE id = $1::uuid`, [id]);
    const runner = cluster.workers.find((worker) => worker.process.pid === Number(rows[0]!.workerId.split(':').at(-2)))!;
    // What another process's crash recovery writes when this worker's heartbeats lapse.
    await cluster.db.query(`UPDATE "ProvisioningRun" SET "workerId" = 'elsewhere:1:takeover', status = 'INTERRUPTED', "statusReason" = 'taken over in a test', "finishedAt" = now() WHERE id = $1::uuid`, [id]);
    await eventually(() => groupAlive(rows[0]!.pid), (alive) => !alive, 'the playbook stopped', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = await cluster.db.query<{ status: string; statusReason: string }>(`SELECT status, "statusReason" FROM "ProvisioningRun" WHERE id = $1::uuid`, [id]);
    expect(after.rows[0]).toEqual({ status: 'INTERRUPTED', statusReason: 'taken over in a test' });
    expect(alive(runner.process.pid!)).toBe(true);
    expect(runner.output()).toContain('run was taken over by crash recovery while this process ran it');
  });
});

describe.skipIf(!postgresServerUrl)('cluster profile: allocation under real concurrency', () => {
  const cluster = new Cluster();
  let apis: ServerProcess[] = [];
  beforeAll(async () => {
    await cluster.open();
    // No worker: the race is about reserving at request time; the runs stay QUEUED.
    apis = [await cluster.startApi(), await cluster.startApi()];
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('500 concurrent provisions on a 250-item pool through two API instances: 250 accepted, 250 typed InsufficientInventoryError, no item twice', async () => {
    const [first, second] = apis as [ServerProcess, ServerProcess];
    const product = { ...demoProducts.find((candidate) => candidate.slug === 'voip-line')!, slug: 'race-line', name: 'Race line' };
    expect((await gql<{ createProduct: { __typename: string } }>(first, CREATE_PRODUCT, { input: product })).createProduct.__typename).toBe('CreateProductSuccess');
    const numbers = Array.from({ length: 250 }, (_, index) => ({ kind: 'PHONE_NUMBER', identifier: `+4930777${String(index).padStart(4, '0')}` }));
    expect((await gql<{ addInventoryItems: { __typename: string } }>(first, ADD_ITEMS, { items: numbers })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');

    const PROVISION = 'mutation($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on Error { message } } }';
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        gql<{ provisionService: { __typename: string; message?: string } }>(index % 2 ? second : first, PROVISION, {
          input: { productSlug: 'race-line', customerRef: `race-${index}`, variables: { caller_id_name: 'Race', sip_password: `sip-password-race-${index}` } },
        }),
      ),
    );
    const byType = Object.groupBy(outcomes, (outcome) => outcome.provisionService.__typename);
    expect({ accepted: byType['ProvisionServiceSuccess']?.length, refused: byType['InsufficientInventoryError']?.length }).toEqual({ accepted: 250, refused: 250 });
    const items = await cluster.db.query<{ status: string; serviceId: string | null }>(`SELECT status, "serviceId" FROM "InventoryItem" WHERE kind = 'PHONE_NUMBER'`);
    expect(items.rows.every((item) => item.status === 'RESERVED' && item.serviceId)).toBe(true);
    expect(new Set(items.rows.map((item) => item.serviceId)).size).toBe(250);
    const services = await cluster.db.query(`SELECT count(*)::int AS count FROM "Service"`);
    expect(services.rows[0]).toEqual({ count: 250 });
  });
});

describe.skipIf(!postgresServerUrl)('cluster profile: limits across workers', () => {
  // Two workers with two slots each, at most three runs in the whole cluster.
  const cluster = new Cluster({ PROVISIO_MAX_CONCURRENT_RUNS: '2', PROVISIO_CLUSTER_MAX_RUNS: '3' });
  beforeAll(async () => {
    await cluster.open();
    await cluster.startApi();
    await cluster.startWorker();
    await cluster.startWorker();
    await seedDemo(cluster.apis[0]!);
  });
  afterAll(async () => {
    await cluster.close();
  });

  /** Runs the provisions and samples how many run at once, per product. */
  async function peakRunning(slug: string, count: number): Promise<{ peak: Record<string, number>; statuses: string[] }> {
    const api = cluster.apis[0]!;
    const peak: Record<string, number> = {};
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await cluster.db.query<{ slug: string; running: number }>(
          `SELECT p.slug, count(*)::int AS running FROM "ProvisioningRun" r JOIN "Product" p ON p.id = r."productId" WHERE r.status = 'RUNNING' GROUP BY p.slug`,
        );
        const total = rows.reduce((sum, row) => sum + row.running, 0);
        for (const row of [...rows, { slug: '*', running: total }]) peak[row.slug] = Math.max(peak[row.slug] ?? 0, row.running);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        provision(api, { productSlug: slug, customerRef: `${slug}-${index}`, variables: { caller_id_name: 'Limits', sip_password: `sip-password-${slug}-${index}`, simulate_delay_seconds: 2 } }),
      ),
    );
    const runs = await Promise.all(started.map(({ runId }) => waitForRun(api, runId)));
    sampling = false;
    await sampler;
    return { peak, statuses: runs.map((run) => run.status) };
  }

  it("holds a product's maxConcurrentRuns across workers, and the cluster-wide limit", async () => {
    const api = cluster.apis[0]!;
    const limited = { ...demoProducts.find((candidate) => candidate.slug === 'voip-line')!, slug: 'one-at-a-time', name: 'One at a time', maxConcurrentRuns: 1 };
    expect((await gql<{ createProduct: { __typename: string } }>(api, CREATE_PRODUCT, { input: limited })).createProduct.__typename).toBe('CreateProductSuccess');
    const product = await peakRunning('one-at-a-time', 3);
    expect(product.statuses).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(product.peak['one-at-a-time']).toBe(1);

    // A run whose queue job was lost (a crash between the commit and the queue) is queued again.
    const api2 = cluster.apis[0]!;
    const more = [0, 1, 2, 3].map((index) => ({ kind: 'PHONE_NUMBER', identifier: `+4930888000${index}` }));
    expect((await gql<{ addInventoryItems: { __typename: string } }>(api2, ADD_ITEMS, { items: more })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
    const blocker = await provision(api2, { productSlug: 'one-at-a-time', customerRef: 'blocker', variables: { caller_id_name: 'Limits', sip_password: 'sip-password-blocker', simulate_delay_seconds: 3 } });
    const orphan = await provision(api2, { productSlug: 'one-at-a-time', customerRef: 'lost-job', variables: { caller_id_name: 'Limits', sip_password: 'sip-password-lost-job' } });
    const deleted = await cluster.db.query(`DELETE FROM pgboss.job WHERE data->>'runId' = $1 AND state = 'created'`, [rawId(orphan.runId)]);
    expect(deleted.rowCount).toBe(1);
    expect((await waitForRun(api2, blocker.runId)).status).toBe('SUCCEEDED');
    expect((await waitForRun(api2, orphan.runId, 60_000)).status).toBe('SUCCEEDED');

    const cluster3 = await peakRunning('voip-line', 5);
    expect(cluster3.statuses.every((status) => status === 'SUCCEEDED')).toBe(true);
    // Four worker slots, three cluster slots: three at once, never four.
    expect(cluster3.peak['*']).toBeLessThanOrEqual(3);
    expect(cluster3.peak['*']).toBeGreaterThanOrEqual(2);
  });
});

describe.skipIf(!postgresServerUrl)('cluster profile: a target element\'s limit across workers', () => {
  const cluster = new Cluster({ PROVISIO_MAX_CONCURRENT_RUNS: '2', PROVISIO_PLAYBOOKS_DIR: path.join(repoRoot, 'test/fixtures/playbooks') });
  beforeAll(async () => {
    await cluster.open();
    await cluster.startApi();
    await cluster.startWorker();
    await cluster.startWorker();
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('runs one at a time on an element limited to one session, whichever worker takes them', async () => {
    const api = cluster.apis[0]!;
    const local = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
    const target = await gql<{ createTarget: { __typename: string } }>(api, 'mutation($input: CreateTargetInput!) { createTarget(input: $input) { __typename ... on Error { message } } }', {
      input: { name: 'lab', inventory: { hosts: { 'el-1': local } }, limits: { 'el-1': 1 } },
    });
    expect(target.createTarget.__typename).toBe('CreateTargetSuccess');
    const product = { slug: 'on-el-1', name: 'On el-1', provisionPlaybook: 'element/slow.yml', deprovisionPlaybook: 'element/slow.yml', target: 'lab', targetHosts: 'el-1' };
    expect((await gql<{ createProduct: { __typename: string } }>(api, CREATE_PRODUCT, { input: product })).createProduct.__typename).toBe('CreateProductSuccess');
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await cluster.db.query<{ running: number }>(`SELECT count(*)::int AS running FROM "ProvisioningRun" WHERE status = 'RUNNING'`);
        peak = Math.max(peak, rows[0]!.running);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = await Promise.all([0, 1, 2].map((index) => provision(api, { productSlug: 'on-el-1', customerRef: `el-${index}` })));
    const runs = await Promise.all(started.map(({ runId }) => waitForRun(api, runId)));
    sampling = false;
    await sampler;
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(peak).toBe(1);
  });
});

/** A Redis of the test's own, so it can be restarted. */
async function startRedis(port: number): Promise<{ process: ResultPromise }> {
  const redis = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { reject: false });
  await eventually(() => new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  }), Boolean, 'redis-server listening', 10_000);
  // Wrapped: a returned child process would be awaited, which waits for it to exit.
  return { process: redis };
}


describe.skipIf(!postgresServerUrl)('cluster profile: a Redis restart', () => {
  let port: number;
  let redis: { process: ResultPromise };
  let cluster: Cluster;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    cluster = new Cluster({ REDIS_URL: `redis://127.0.0.1:${port}` });
    await cluster.open();
    await cluster.startApi();
    await cluster.startWorker();
    await seedDemo(cluster.apis[0]!);
  });
  afterAll(async () => {
    await cluster?.close();
    redis?.process.kill('SIGTERM');
    await redis.process;
  });

  it('a subscriber on the API instance still gets every event of a run on the worker once, in order, and no process dies', async () => {
    const api = cluster.apis[0]!;
    const started = await provision(api, { productSlug: 'voip-line', customerRef: 'redis-restart', variables: { caller_id_name: 'Redis', sip_password: 'sip-password-redis', simulate_delay_seconds: 2 } });
    const streamed = streamEvents(api, 'ws', started.runId);
    await eventually(() => allEvents(api, started.runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'the long task');
    redis.process.kill('SIGKILL');
    await redis.process;
    // Down longer than the slow task: the run's next events are published while Redis is away.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    redis = await startRedis(port);
    const run = await waitForRun(api, started.runId);
    expect(run.status).toBe('SUCCEEDED');
    const events = await streamed;
    expectContiguous(events, 1, run.lastSeq);
    for (const child of [...cluster.apis, ...cluster.workers]) expect(alive(child.process.pid!)).toBe(true);
    // Live delivery is back: a new run's events arrive through Redis again.
    const next = await provision(api, { productSlug: 'voip-line', customerRef: 'redis-back', variables: { caller_id_name: 'Redis', sip_password: 'sip-password-redis-back' } });
    const nextEvents = await streamEvents(api, 'ws', next.runId);
    expectContiguous(nextEvents, 1, (await waitForRun(api, next.runId)).lastSeq);
  });
});

describe.skipIf(!postgresServerUrl)('cluster profile: webhooks', () => {
  const cluster = new Cluster({ PROVISIO_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', PROVISIO_WEBHOOK_RETRY_BASE_MS: '200' });
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver({ answers: [503] });
    await cluster.open();
  });
  afterAll(async () => {
    await cluster.close();
    await receiver?.close();
  });

  it('an API instance records the notification, a worker sends it through pg-boss and retries it', async () => {
    const api = await cluster.startApi();
    await cluster.startWorker();
    const created = await gql<{ createWebhookEndpoint: { issued: { signingSecret: string } } }>(
      api,
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ... on CreateWebhookEndpointSuccess { issued { signingSecret } } } }',
      { input: { name: 'cluster', url: receiver.url, events: ['POOL_LOW'] } },
    );
    // A product whose empty pool is below its threshold from the start.
    const product = { slug: 'hooked', name: 'Hooked', provisionPlaybook: 'voip-line/provision.yml', deprovisionPlaybook: 'voip-line/deprovision.yml', inventoryRequirements: [{ kind: 'PHONE_NUMBER' }], poolAlertBelow: 1 };
    expect((await gql<{ createProduct: { __typename: string } }>(api, CREATE_PRODUCT, { input: product })).createProduct.__typename).toBe('CreateProductSuccess');
    await eventually(() => receiver.received.length, (count) => count === 2, 'a refused attempt and its retry', 30_000);
    expect(receiver.received.map((request) => request.answeredWith)).toEqual([503, 200]);
    for (const request of receiver.received) expect(verifyWebhook(created.createWebhookEndpoint.issued.signingSecret, request.headers, request.body)).toBe(true);
    const rows = await eventually(
      async () => (await cluster.db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM "WebhookDelivery"')).rows,
      (found) => found[0]?.status !== 'PENDING',
      'the delivery recorded',
    );
    expect(rows).toEqual([{ status: 'DELIVERED', attempts: 2 }]);
  });
});
