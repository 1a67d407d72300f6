import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ADD_ITEMS, Cluster, compensationOf, hasExited, rawId, seedDemo } from './support/cluster.ts';
import { rawQuery } from './support/client.ts';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import { allEvents, expectContiguous, provision, streamEvents, waitForRun, type StartedRun } from './support/runs.ts';
import type { ServerProcess } from './support/server-process.ts';
import { eventually } from './support/wait.ts';

// The cluster profile while its PostgreSQL goes away: a server of the test's own, stopped or
// killed under running runs, then started again on the same data directory.

if (!postgresBinDir) console.warn('cluster chaos tests skipped: no PostgreSQL binaries (initdb, postgres) on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin');

const OUTAGE_MS = 10_000;
/** The playbook's slow task: the runs go on (and end) while the database is away. */
const DELAY_SECONDS = 4;
const PROVISION = 'mutation($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on Error { message } } }';

interface GraphQLAnswer {
  status: number;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function answer(api: ServerProcess, document: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${api.key}` },
    body: JSON.stringify({ query: document, variables }),
  });
  return { status: response.status, ...((await response.json()) as { errors?: GraphQLAnswer['errors'] }) };
}

const readyz = async (api: ServerProcess) => (await fetch(new URL('/readyz', api.url))).status;

/** A read and a write answered 503 with the typed error, at once. */
async function expectUnavailable(api: ServerProcess, customerRef: string): Promise<void> {
  const read = await answer(api, '{ runs(first: 1) { nodes { id } } }');
  expect({ status: read.status, code: read.errors?.[0]?.extensions?.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
  const write = await answer(api, PROVISION, { input: { productSlug: 'voip-line', customerRef, variables: { caller_id_name: 'Outage', sip_password: 'sip-password-during' } } });
  expect({ status: write.status, code: write.errors?.[0]?.extensions?.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
}

/** The close code of a graphql-ws connection the server ends at its start (its handshake by hand). */
function webSocketCloseCode(api: ServerProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(api.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${api.key}` } }));
    socket.onmessage = (message) => reject(new Error(`unexpected message: ${String(message.data)}`));
    socket.onclose = (event) => resolve(event.code);
  });
}

/** Its key's cached check has expired by then: the request is refused before GraphQL, the same way. */
const KEY_CACHE_EXPIRED_MS = 6_000;

describe.skipIf(!postgresBinDir)('cluster profile: PostgreSQL goes away under running runs', () => {
  let postgres: PrivatePostgres;
  let a: ServerProcess;
  let b: ServerProcess;
  const cluster = new Cluster({ PROVISIO_MAX_CONCURRENT_RUNS: '2', PROVISIO_SHUTDOWN_GRACE_MS: '3000' });
  let scene = 0;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    await cluster.open(postgres.url());
    a = await cluster.startApi();
    b = await cluster.startApi();
    await cluster.startWorker();
    await cluster.startWorker();
    await seedDemo(a);
    const numbers = Array.from({ length: 20 }, (_, index) => ({ kind: 'PHONE_NUMBER', identifier: `+4930555${String(index).padStart(4, '0')}` }));
    expect((await rawQuery<{ addInventoryItems: { __typename: string } }>(a, ADD_ITEMS, { items: numbers })).addInventoryItems.__typename).toBe('AddInventoryItemsSuccess');
  });
  afterAll(async () => {
    // A failed scene may have left the server down: the processes drain against it.
    await postgres?.start().catch(() => {});
    await cluster.close();
    await postgres?.destroy();
  });

  /** Four runs on two workers, a subscriber for each, the fault for OUTAGE_MS, then the contract. */
  async function outage(fault: () => Promise<void>): Promise<void> {
    scene++;
    onTestFailed(() => cluster.dumpOutputs());
    const apis = [a, b, a, b];
    const started: StartedRun[] = await Promise.all(
      apis.map((api, index) =>
        provision(api, { productSlug: 'voip-line', customerRef: `outage-${scene}-${index}`, variables: { caller_id_name: 'Outage', sip_password: `sip-password-${scene}-${index}`, simulate_delay_seconds: DELAY_SECONDS } }),
      ),
    );
    const streams = started.map(({ runId }, index) => streamEvents(apis[index]!, 'ws', runId));
    // Awaited below; a stream that fails meanwhile fails the test there, not as an unhandled rejection.
    for (const stream of streams) stream.catch(() => {});
    for (const { runId } of started) {
      await eventually(() => allEvents(a, runId), (events) => events.some((event) => event.task === 'Simulate a slow network element'), 'every run in its slow task', 60_000);
    }
    const children = [...cluster.apis, ...cluster.workers];
    const logsBefore = children.map((child) => child.output().length);
    const faultAt = Date.now();
    await fault();
    // Whatever fails below, the next scene (and the cluster's drain) gets its database back.
    onTestFailed(async () => {
      await postgres.start().catch(() => {});
    });

    // While the database is away: /readyz says 503, GraphQL answers a typed error at once.
    for (const api of [a, b]) {
      await eventually(() => readyz(api), (status) => status === 503, '/readyz 503 while the database is away', OUTAGE_MS);
      await expectUnavailable(api, `during-${scene}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, faultAt + KEY_CACHE_EXPIRED_MS - Date.now())));
    for (const api of [a, b]) await expectUnavailable(api, `later-${scene}`);
    // A WebSocket that cannot have its key checked is told to try again later (1013), not refused.
    expect(await webSocketCloseCode(a)).toBe(1013);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, faultAt + OUTAGE_MS - Date.now())));
    await postgres.start();
    await cluster.reconnect();

    // It recovers by itself.
    for (const api of [a, b]) await eventually(() => readyz(api), (status) => status === 200, '/readyz 200 again', 60_000);
    const runs = await Promise.all(started.map(({ runId }) => waitForRun(a, runId, 120_000)));
    for (const [index, run] of runs.entries()) {
      // A true status: the run finished, or it was interrupted and its compensation undid it.
      if (run.status === 'INTERRUPTED') {
        expect(await waitForRun(a, await compensationOf(a, started[index]!.runId, 60_000), 120_000)).toMatchObject({ status: 'SUCCEEDED', service: { status: 'FAILED' } });
      } else {
        expect(run).toMatchObject({ status: 'SUCCEEDED', service: { status: 'ACTIVE' } });
      }
      expectContiguous(await streams[index]!, 1, run.lastSeq);
    }
    for (const child of children) expect(await hasExited(child)).toBe(false);
    // Every polling loop of the queue sees the outage, several times a second: a line or two each, not a flood.
    for (const [index, child] of children.entries()) expect(child.output().slice(logsBefore[index]).split('queue (pg-boss) error').length - 1).toBeLessThanOrEqual(2);
    const reserved = await cluster.db.query(`SELECT id FROM "InventoryItem" WHERE status = 'RESERVED'`);
    expect(reserved.rows).toEqual([]);
    const after = await provision(b, { productSlug: 'voip-line', customerRef: `after-${scene}`, variables: { caller_id_name: 'Outage', sip_password: `sip-password-after-${scene}` } });
    expect((await waitForRun(b, after.runId, 60_000)).status).toBe('SUCCEEDED');
  }

  it('stopped for 10 s (fast shutdown): every run ends true, every subscriber gets every event once, nothing crashes, and it recovers by itself', async () => {
    await outage(() => postgres.stop());
  });

  it('killed with -9 (crash recovery at the next start): the same', async () => {
    await outage(() => postgres.kill());
  });

  it("goes away while a run's end is being recorded: the end is recorded once it is back", async () => {
    onTestFailed(() => cluster.dumpOutputs());
    const started = await provision(a, { productSlug: 'voip-line', customerRef: 'end-in-outage', variables: { caller_id_name: 'Outage', sip_password: 'sip-password-end', simulate_delay_seconds: 2 } });
    // The run's end updates its service: holding that row holds the end's transaction open.
    const holder = new pg.Client({ connectionString: cluster.env['DATABASE_URL'] });
    holder.on('error', () => {});
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM "Service" WHERE id = $1::uuid FOR UPDATE`, [rawId(started.serviceId!)]);
    await eventually(
      async () => (await cluster.db.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%"Service"%'`)).rows[0].waiting as number,
      (waiting) => waiting > 0,
      "the run's end waiting for its service",
      60_000,
    );
    onTestFailed(async () => {
      await postgres.start().catch(() => {});
    });
    await postgres.stop();
    await holder.end().catch(() => {});
    await postgres.start();
    await cluster.reconnect();
    expect(await waitForRun(a, started.runId, 60_000)).toMatchObject({ status: 'SUCCEEDED', service: { status: 'ACTIVE' } });
    for (const child of [...cluster.apis, ...cluster.workers]) expect(await hasExited(child)).toBe(false);
  });
});

