// tmf: the TM Forum REST API (src/tmf/, under /tmf-api/) against the real server process.
//
//   accept   a --items (1,000) item TMF641 order, each an `add` of a product that reserves one
//            SIM: POST answers 201 with every item accepted (acknowledged, or already further); its wall time.
//   execute  an order of --compare (200) items run until every item is completed, then as many
//            provisionService mutations (fresh SIMs, --clients at once) on the same server until
//            every run finished: runs/s of each and their ratio. When --compare equals --items
//            the accepted order itself is the TMF side.
//   list     GET serviceInventory/v4/service?fields=id,state&limit=100 with --services (10,000)
//            services inserted with SQL: --samples (300) sequential requests after --warmups (20),
//            on each of --list-profiles (postgres,embedded).
// Options: --profile=embedded|postgres (accept and execute), --concurrency=8 (PROVISIO_MAX_CONCURRENT_RUNS),
//          --clients=4, --poll-ms=500, --timeout-s=3600 (each wait), --phases=accept,execute,list,
//          --database-url=postgres://postgres@127.0.0.1:5432/postgres (scratch databases made there, dropped after).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { luhnValid } from '../src/domain/inventory/index.ts';
import { PGLITE_OPTIONS, pgdataDir } from '../src/infra/db/pglite/options.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, percentile, round } from './lib/stats.ts';
import { processCpuMs } from './lib/cpu-memory.ts';
import { embeddedDataDir, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { benchAuthorization, createProduct, gql, provision } from './lib/gql.ts';
import { scratchDatabase } from './lib/scratch-database.ts';
import { spawnServer, waitReady, type ServerProcess } from './lib/server.ts';

type Profile = 'embedded' | 'postgres';
type Doc = Record<string, unknown>;

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const SERVICES = '/tmf-api/serviceInventory/v4/service?fields=id,state&limit=100';
const SLUG = 'bench-sim';
const FINAL_ORDER_STATES = new Set(['completed', 'failed', 'partial', 'rejected', 'cancelled']);
const ACCEPTED_ITEM_STATES = new Set(['acknowledged', 'inProgress', 'completed']);
/** One key for every server of the run: a server restarted on its data must open what it sealed. */
const SECRET_KEY = randomBytes(32).toString('base64');

/** short.yml's two tasks, with the reserved SIM where short.yml has a phone number. */
const SIM_PLAYBOOK = `# Written by bench/tmf.ts: a one-SIM product, two quick local tasks.
- name: One-SIM product
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    sim_file: "{{ lookup('env', 'PROVISIO_LAB_DIR') }}/sim-{{ service.id }}"
    iccid: "{{ [inventory.sim] | flatten | map(attribute='identifier') | first }}"
  tasks:
    - name: Write the SIM
      ansible.builtin.copy:
        dest: "{{ sim_file }}"
        content: "{{ iccid }}\\n"
        mode: "0640"
      when: provisio.action == 'provision'
    - name: Remove the SIM
      ansible.builtin.file:
        path: "{{ sim_file }}"
        state: absent
      when: provisio.action == 'deprovision'
`;

interface Settings {
  dir: string;
  playbooksDir: string;
  labDir: string;
  databaseUrl: string;
  concurrency: number;
  clients: number;
  pollMs: number;
  /** Bounds each wait for runs or an order to finish. */
  timeoutMs: number;
}

interface Started {
  server: ServerProcess;
  url: string;
  base: string;
}

async function startServer(settings: Settings, dataDir: string, databaseUrl: string | undefined): Promise<Started> {
  const server = await spawnServer({
    PROVISIO_DATA_DIR: dataDir,
    PROVISIO_LAB_DIR: settings.labDir,
    PROVISIO_PLAYBOOKS_DIR: settings.playbooksDir,
    PROVISIO_SEED_DEMO: 'false',
    PROVISIO_MAX_CONCURRENT_RUNS: String(settings.concurrency),
    // SIMs carry secret attributes (ki, opc): sealed with this key.
    PROVISIO_SECRET_KEY: SECRET_KEY,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  await waitReady(server.url);
  return { server, url: server.url, base: server.url.replace(/\/graphql$/, '') };
}

/** A fresh server on a fresh database of the profile. */
async function freshServer(settings: Settings, profile: Profile, name: string): Promise<Started & { dataDir: string; databaseUrl: string | undefined }> {
  const dataDir = embeddedDataDir(path.join(settings.dir, name));
  const databaseUrl = profile === 'postgres' ? await scratchDatabase(settings.databaseUrl, 'provisio_bench_tmf') : undefined;
  return { ...(await startServer(settings, dataDir, databaseUrl)), dataDir, databaseUrl };
}

/** Creates the product over GraphQL; returns its TMF serviceSpecification id, as a BSS finds it in the catalog. */
async function createSimProduct(started: Started): Promise<string> {
  const name = 'Bench one SIM';
  await createProduct(started.url, { slug: SLUG, name, provisionPlaybook: 'sim.yml', deprovisionPlaybook: 'sim.yml', inventoryRequirements: [{ kind: 'SIM', count: 1 }] });
  const found = await tmf(started.base, 'GET', `/tmf-api/serviceCatalogManagement/v4/serviceSpecification?name=${encodeURIComponent(name)}&fields=id`);
  const id = (found.body as Doc[] | undefined)?.[0]?.['id'];
  if (found.status !== 200 || typeof id !== 'string') throw new Error(`serviceSpecification not found: HTTP ${found.status}`);
  return id;
}

let simSerial = 0;
/** A SIM as the HLR tests build them: an ICCID with its Luhn digit, an IMSI, ki and opc. */
function nextSim() {
  const n = simSerial++;
  const body = `894900${String(n).padStart(12, '0')}`;
  const check = [...'0123456789'].find((digit) => luhnValid(body + digit))!;
  const hex = n.toString(16).padStart(32, '0');
  return { kind: 'SIM', identifier: body + check, attributes: { imsi: `26201${String(n).padStart(10, '0')}`, ki: hex, opc: hex } };
}

async function addSims(url: string, count: number): Promise<number> {
  const started = performance.now();
  for (let added = 0; added < count; added += 1_000) {
    const items = Array.from({ length: Math.min(1_000, count - added) }, nextSim);
    const data = await gql<{ addInventoryItems: { __typename: string } }>(url, `mutation($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) { __typename } }`, { items });
    if (data.addInventoryItems.__typename !== 'AddInventoryItemsSuccess') throw new Error(`addInventoryItems: ${data.addInventoryItems.__typename}`);
  }
  return performance.now() - started;
}

async function tmf(base: string, method: string, route: string, body?: unknown): Promise<{ status: number; headers: Headers; body: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...benchAuthorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, ms };
}

function orderBody(specificationId: string, items: number, name: string): Doc {
  return {
    externalId: `bench-${name}-${randomBytes(4).toString('hex')}`,
    relatedParty: [{ id: `bench-${name}`, role: 'Customer', '@referredType': 'Customer', '@type': 'RelatedParty' }],
    serviceOrderItem: Array.from({ length: items }, (_, i) => ({ id: String(i + 1), action: 'add', service: { serviceSpecification: { id: specificationId } } })),
  };
}

function countStates(order: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of ((order as Doc)['serviceOrderItem'] as Doc[] | undefined) ?? []) counts[String(item['state'])] = (counts[String(item['state'])] ?? 0) + 1;
  return counts;
}

const summary = (ms: number[]) => ({ n: ms.length, p50: round(percentile(ms, 50), 2), p95: round(percentile(ms, 95), 2), p99: round(percentile(ms, 99), 2), max: round(max(ms), 2) });

/** Where a measured stretch began: the wall clock and the server's CPU (its own; its reaped children's: Ansible). */
interface Mark {
  at: number;
  own: number;
  children: number;
}
const mark = (pid: number): Mark => ({ at: performance.now(), ...(processCpuMs(pid) ?? { own: Number.NaN, children: Number.NaN }) });

interface Execution extends Doc {
  path: string;
  runs: number;
  wallMs: number;
  runsPerSecond: number;
  serverCpuMsPerRun: number;
  ansibleCpuMsPerRun: number;
  problems: string[];
}

function execution(label: string, runs: number, from: Mark, to: Mark, problems: string[], extra: Doc = {}): Execution {
  const wallMs = to.at - from.at;
  return { path: label, runs, wallMs: round(wallMs, 0), runsPerSecond: round((runs * 1000) / wallMs, 3), serverCpuMsPerRun: round((to.own - from.own) / runs, 1), ansibleCpuMsPerRun: round((to.children - from.children) / runs, 1), problems, ...extra };
}

/** POSTs the order and reads what the 201 says of its items. */
async function postOrder(started: Started, specificationId: string, items: number, name: string) {
  // An order the engine refuses (unknown specification): the route, the body parser and the schema check warmed, nothing stored.
  const refused = await tmf(started.base, 'POST', ORDERS, orderBody('00000000-0000-4000-8000-000000000000', 1, 'warm-up'));
  if (refused.status !== 400) throw new Error(`the warm-up order was not refused: HTTP ${refused.status}`);
  const from = mark(started.server.pid);
  const response = await tmf(started.base, 'POST', ORDERS, orderBody(specificationId, items, name));
  if (response.status !== 201) throw new Error(`POST ${ORDERS} (${items} items): HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 2_000)}`);
  const states = countStates(response.body);
  const accepted = Object.entries(states).reduce((sum, [state, count]) => sum + (ACCEPTED_ITEM_STATES.has(state) ? count : 0), 0);
  return { from, orderId: String((response.body as Doc)['id']), postMs: round(response.ms, 1), status: response.status, states, notAccepted: items - accepted, strictlyAcknowledged: states['acknowledged'] ?? 0 };
}

const RUN_COUNTS = `{ all: runs { totalCount } queued: runs(filter: { status: QUEUED }) { totalCount } running: runs(filter: { status: RUNNING }) { totalCount } succeeded: runs(filter: { status: SUCCEEDED }) { totalCount } }`;
type RunCounts = Record<'all' | 'queued' | 'running' | 'succeeded', { totalCount: number }>;

/**
 * Polls the order's state until it is final; the stretch ends when that is seen. The runs are
 * polled beside it, to tell how far the order's state lags behind its runs.
 */
async function followOrder(started: Started, orderId: string, from: Mark, items: number, settings: Settings): Promise<Execution> {
  const polls: number[] = [];
  let state = '';
  let runsDoneAt: number | undefined;
  while (!FINAL_ORDER_STATES.has(state)) {
    if (performance.now() - from.at > settings.timeoutMs) throw new Error(`order ${orderId} still ${state} after ${settings.timeoutMs} ms`);
    await sleep(settings.pollMs);
    const response = await tmf(started.base, 'GET', `${ORDERS}/${orderId}?fields=state`);
    if (response.status !== 200) throw new Error(`GET order: HTTP ${response.status}`);
    polls.push(response.ms);
    state = String((response.body as Doc)['state']);
    const counts = await gql<RunCounts>(started.url, RUN_COUNTS);
    if (counts.queued.totalCount + counts.running.totalCount === 0) runsDoneAt ??= performance.now();
  }
  const to = mark(started.server.pid);
  const runsDone = round((runsDoneAt ?? to.at) - from.at, 0);
  const final = await tmf(started.base, 'GET', `${ORDERS}/${orderId}`);
  const states = countStates(final.body);
  const problems = state === 'completed' && states['completed'] === items ? [] : [`TMF order ${state}: items ${JSON.stringify(states)}`];
  return execution('TMF641 order', items, from, to, problems, { runsDoneMs: runsDone, orderState: state, itemStates: states, pollLatencyMs: summary(polls), fullOrderGetMs: round(final.ms, 1) });
}

/** `count` provisionService mutations from --clients clients, then polls until no run is queued or running. */
async function provisionThroughGraphql(started: Started, count: number, settings: Settings): Promise<Execution> {
  const from = mark(started.server.pid);
  let next = 0;
  await Promise.all(
    Array.from({ length: settings.clients }, async () => {
      while (next < count) await provision(started.url, { productSlug: SLUG, customerRef: `bench-graphql-${next++}` });
    }),
  );
  const submittedMs = performance.now() - from.at;
  let counts: RunCounts;
  do {
    if (performance.now() - from.at > settings.timeoutMs) throw new Error(`runs still queued or running after ${settings.timeoutMs} ms`);
    await sleep(settings.pollMs);
    counts = await gql<RunCounts>(started.url, RUN_COUNTS);
  } while (counts.queued.totalCount + counts.running.totalCount > 0);
  const to = mark(started.server.pid);
  // The server's runs so far: the TMF order's, then these; every one must have succeeded.
  const problems = counts.succeeded.totalCount === counts.all.totalCount ? [] : [`${counts.all.totalCount - counts.succeeded.totalCount} of ${counts.all.totalCount} runs did not succeed`];
  return execution('GraphQL provisionService', count, from, to, problems, { submittedMs: round(submittedMs, 0) });
}

async function orderPhases(settings: Settings, profile: Profile, items: number, compare: number, phases: Set<string>, report: Report) {
  const reuse = phases.has('accept') && phases.has('execute') && compare === items;
  const executions: Execution[] = [];
  if (phases.has('accept')) {
    const started = await freshServer(settings, profile, 'accept');
    const productId = await createSimProduct(started);
    const simsMs = await addSims(started.url, items + (reuse ? compare : 0));
    const placed = await postOrder(started, productId, items, 'accept');
    console.log(`accept: POST of a ${items}-item order: HTTP ${placed.status} in ${fmt(placed.postMs)} ms; items ${JSON.stringify(placed.states)} (SIMs added in ${fmt(simsMs)} ms)`);
    const { from: _from, ...accepted } = placed;
    report.metrics['accept'] = { items, simsAddedMs: round(simsMs, 0), ...accepted };
    report.target(`POST of a ${items}-item order → 201`, '<=', 5_000, placed.postMs, 'ms');
    report.target('items not acknowledged in the 201', '<=', 0, placed.notAccepted, 'items');
    if (reuse) {
      executions.push(await followOrder(started, placed.orderId, placed.from, items, settings));
      executions.push(await provisionThroughGraphql(started, compare, settings));
    }
    // A smaller comparison runs on a fresh server: the accepted order's runs are left to the shutdown.
    await started.server.stop(30_000);
  }
  if (phases.has('execute') && !reuse) {
    const started = await freshServer(settings, profile, 'execute');
    const productId = await createSimProduct(started);
    await addSims(started.url, 2 * compare);
    const placed = await postOrder(started, productId, compare, 'execute');
    executions.push(await followOrder(started, placed.orderId, placed.from, compare, settings));
    executions.push(await provisionThroughGraphql(started, compare, settings));
    await started.server.stop(30_000);
  }
  if (executions.length === 2) {
    const [order, graphql] = executions as [Execution, Execution];
    table(
      ['path', 'runs', 'wall ms', 'runs/s', 'server CPU ms/run', 'Ansible CPU ms/run', 'problems'],
      executions.map((e) => [e.path, String(e.runs), fmt(e.wallMs), fmt(e.runsPerSecond), fmt(e.serverCpuMsPerRun), fmt(e.ansibleCpuMsPerRun), String(e.problems.length)]),
    );
    const ratio = round(order.runsPerSecond / graphql.runsPerSecond, 3);
    console.log(`TMF order ÷ GraphQL runs/s: ${ratio}; the order's runs had all finished after ${fmt(Number(order['runsDoneMs']))} ms, the order was completed after ${fmt(order.wallMs)} ms`);
    console.log(`GET order?fields=state while it ran: ${JSON.stringify(order['pollLatencyMs'])} ms`);
    report.metrics['execute'] = { order, graphql, ratio };
    for (const problem of [...order.problems, ...graphql.problems]) report.note(problem);
    report.target(`${order.runs}-item order executed: runs/s ÷ GraphQL's`, '>=', 0.95, ratio, '×');
    report.target('runs not succeeded, order not completed', '<=', 0, order.problems.length + graphql.problems.length, 'problems');
  }
}

const INSERT_SERVICES = `INSERT INTO "Service" ("id", "productId", "customerRef", "status", "createdAt", "updatedAt")
  SELECT gen_random_uuid(), $1::uuid, 'bench-customer-' || n, 'ACTIVE'::"ServiceStatus", now() - n * interval '1 second', now()
  FROM generate_series(1, $2::int) AS n`;

/** Inserts the services straight into the database (through runs it would take hours), then ANALYZE as a live database would have. */
async function insertServices(client: { query(sql: string, params?: unknown[]): Promise<unknown> }, productId: string, count: number): Promise<number> {
  const started = performance.now();
  await client.query(INSERT_SERVICES, [productId, count]);
  await client.query('ANALYZE "Service"');
  return performance.now() - started;
}

/** A server of the profile holding `count` services, ready to list them. */
async function serverWithServices(settings: Settings, profile: Profile, count: number): Promise<{ started: Started; insertMs: number }> {
  const first = await freshServer(settings, profile, `list-${profile}`);
  const productId = await createSimProduct(first);
  // PGlite is one process's: the server stops while the bench writes to its data directory (on
  // PostgreSQL too, so that both measure a server started on the full table).
  await first.server.stop(30_000);
  let insertMs: number;
  if (first.databaseUrl) {
    const client = new pg.Client({ connectionString: first.databaseUrl });
    await client.connect();
    insertMs = await insertServices(client, productId, count).finally(() => client.end());
  } else {
    const pglite = await PGlite.create(pgdataDir(first.dataDir), PGLITE_OPTIONS);
    insertMs = await insertServices(pglite, productId, count).finally(() => pglite.close());
  }
  return { started: await startServer(settings, first.dataDir, first.databaseUrl), insertMs };
}

async function listPhase(settings: Settings, profile: Profile, count: number, samples: number, warmups: number) {
  const { started, insertMs } = await serverWithServices(settings, profile, count);
  const times: number[] = [];
  for (let i = 0; i < warmups + samples; i++) {
    const response = await tmf(started.base, 'GET', SERVICES);
    const page = response.body as unknown[];
    if (response.status !== 206 || page.length !== 100 || response.headers.get('x-total-count') !== String(count)) {
      throw new Error(`GET ${SERVICES}: HTTP ${response.status}, ${page.length} services, X-Total-Count ${response.headers.get('x-total-count')}`);
    }
    if (i >= warmups) times.push(response.ms);
  }
  await started.server.stop(30_000);
  return { profile, services: count, insertMs: round(insertMs, 0), ...summary(times) };
}

await runBench(async () => {
  const options = benchOptions();
  const items = numberOption(options, 'items', 1_000);
  const compare = numberOption(options, 'compare', 200);
  const services = numberOption(options, 'services', 10_000);
  const samples = numberOption(options, 'samples', 300);
  const warmups = numberOption(options, 'warmups', 20);
  const profile = (options.get('profile') ?? 'embedded') as Profile;
  const phases = new Set((options.get('phases') ?? 'accept,execute,list').split(','));
  const listProfiles = (options.get('list-profiles') ?? 'postgres,embedded').split(',') as Profile[];
  for (const p of [profile, ...listProfiles]) if (p !== 'embedded' && p !== 'postgres') throw new Error(`unknown profile ${p}: embedded or postgres`);
  const dir = tempDir('tmf');
  const settings: Settings = {
    dir,
    playbooksDir: path.join(dir, 'playbooks'),
    labDir: path.join(dir, 'lab'),
    databaseUrl: options.get('database-url') ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    concurrency: numberOption(options, 'concurrency', 8),
    clients: numberOption(options, 'clients', 4),
    pollMs: numberOption(options, 'poll-ms', 500),
    timeoutMs: numberOption(options, 'timeout-s', 3_600) * 1000,
  };
  fs.mkdirSync(settings.playbooksDir);
  fs.mkdirSync(settings.labDir);
  fs.writeFileSync(path.join(settings.playbooksDir, 'sim.yml'), SIM_PLAYBOOK);
  const report = new Report(profile === 'postgres' ? 'tmf-postgres' : 'tmf');
  Object.assign(report.params, { profile, items, compare, services, samples, warmups, phases: [...phases], listProfiles, concurrency: settings.concurrency, clients: settings.clients, pollMs: settings.pollMs });

  await orderPhases(settings, profile, items, compare, phases, report);
  if (phases.has('list')) {
    const rows = [];
    for (const listProfile of listProfiles) rows.push(await listPhase(settings, listProfile, services, samples, warmups));
    table(['GET service?fields=id,state&limit=100', 'services', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], rows.map((r) => [r.profile, String(r.services), String(r.n), fmt(r.p50), fmt(r.p95), fmt(r.p99), fmt(r.max)]));
    report.metrics['list'] = rows;
    const postgres = rows.find((r) => r.profile === 'postgres');
    if (postgres) report.target(`GET service page of 100 with ${services} services, p99 on PostgreSQL`, '<=', 50, postgres.p99, 'ms');
  }
  report.write();
});
