// sync: a bulk sync check of --services (1,000) lines of a ten-task product (bench/playbooks/
// ten-parts.yml: real modules in check and diff mode) on the embedded server, against the same
// checks as bare `ansible-playbook --check --diff` at the same concurrency.
//
//   Provisio  startBulkOperation(CHECK_SYNC) of every line; checks/s from the operation's start to
//             its last run's end. Meanwhile one client asks the API every --ask-every-ms (100 ms: a
//             services page with sync states, the operation's progress, in turn): its latencies.
//   bare      --bare (services ÷ 2) checks of the same lines with the same extra vars, --concurrency
//             at once, half before the bulk and half after it (the host's drift falls on both).
// The lines are inserted with SQL and their parts written as the playbook writes them (all IN_SYNC).
// Options: --services=1000, --bare=<services/2>, --concurrency=2 (PROVISIO_MAX_CONCURRENT_RUNS and the
//          bare checks at once), --poll-ms=1000, --ask-every-ms=100, --timeout-s=7200.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS, pgdataDir } from '../src/infra/db/pglite/options.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, percentile, round } from './lib/stats.ts';
import { embeddedDataDir, runBench, tempDir } from './lib/cleanup.ts';
import { benchPlaybooksDir } from './lib/paths.ts';
import { Report, fmt, table } from './lib/report.ts';
import { createProduct, gql } from './lib/gql.ts';
import { spawnServer, waitReady, type ServerProcess } from './lib/server.ts';

const SLUG = 'bench-line';
const PLAYBOOK = 'ten-parts.yml';
const PARTS = 9;
const RATE = 100;
const SECRET_KEY = randomBytes(32).toString('base64');

interface Settings {
  dir: string;
  elementDir: string;
  concurrency: number;
  pollMs: number;
  /** The API client's pace: one request this often (back to back, it would be a load test of its own). */
  askEveryMs: number;
  timeoutMs: number;
}

const customerRef = (n: number) => `line-${String(n).padStart(5, '0')}`;

/** A line's parts as ten-parts.yml writes them: the check finds nothing to change. */
function writeLine(elementDir: string, ref: string): void {
  const dir = path.join(elementDir, ref);
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  for (let part = 1; part <= PARTS; part++) fs.writeFileSync(path.join(dir, `part-${part}.conf`), `${ref} part ${part} rate ${RATE}\n`, { mode: 0o640 });
}

async function startServer(settings: Settings, dataDir: string): Promise<ServerProcess> {
  const server = await spawnServer({
    PROVISIO_DATA_DIR: dataDir,
    PROVISIO_LAB_DIR: path.join(settings.dir, 'lab'),
    PROVISIO_PLAYBOOKS_DIR: benchPlaybooksDir,
    PROVISIO_SEED_DEMO: 'false',
    PROVISIO_MAX_CONCURRENT_RUNS: String(settings.concurrency),
    PROVISIO_SECRET_KEY: SECRET_KEY,
  });
  await waitReady(server.url);
  return server;
}

/** A server holding `count` ACTIVE lines of the product, inserted while it was stopped (PGlite is one process's). */
async function serverWithLines(settings: Settings, count: number): Promise<ServerProcess> {
  const dataDir = embeddedDataDir(path.join(settings.dir, 'server'));
  const first = await startServer(settings, dataDir);
  await createProduct(first.url, {
    slug: SLUG,
    name: 'Bench line',
    provisionPlaybook: PLAYBOOK,
    deprovisionPlaybook: PLAYBOOK,
    defaultVariables: { element_dir: settings.elementDir, rate: RATE },
    variableSchema: { type: 'object', properties: { element_dir: { type: 'string' }, rate: { type: 'integer' } } },
  });
  await first.stop(30_000);
  const pglite = await PGlite.create(pgdataDir(dataDir), PGLITE_OPTIONS);
  try {
    await pglite.query(
      `INSERT INTO "Service" (id, "productId", "customerRef", status, "productRevision", "updatedAt")
       SELECT gen_random_uuid(), p.id, 'line-' || lpad(n::text, 5, '0'), 'ACTIVE', p.revision, now() FROM "Product" p, generate_series(1, $1::int) AS n WHERE p.slug = $2`,
      [count, SLUG],
    );
    await pglite.query('ANALYZE "Service"');
  } finally {
    await pglite.close();
  }
  for (let n = 1; n <= count; n++) writeLine(settings.elementDir, customerRef(n));
  return startServer(settings, dataDir);
}

const PROGRESS = `query ($id: ID!) { node(id: $id) { ... on BulkOperation { state progress { total done succeeded failed inSync drifted } } } }`;
const SERVICES_PAGE = `{ services(first: 50, filter: { productSlug: "${SLUG}" }) { totalCount nodes { id customerRef syncState syncCheckedAt } } }`;

interface BulkResult {
  checks: number;
  seconds: number;
  progress: Record<string, number>;
  latenciesMs: number[];
}

/** The bulk check, with one client asking the API back to back while it runs. */
async function bulkCheck(server: ServerProcess, settings: Settings): Promise<BulkResult> {
  const started = Date.now();
  const { startBulkOperation } = await gql<{ startBulkOperation: { __typename: string; bulkOperation?: { id: string } } }>(
    server.url,
    `mutation { startBulkOperation(input: { kind: CHECK_SYNC, productSlug: "${SLUG}" }) { __typename ... on StartBulkOperationSuccess { bulkOperation { id } } } }`,
  );
  if (!startBulkOperation.bulkOperation) throw new Error(`startBulkOperation: ${startBulkOperation.__typename}`);
  const id = startBulkOperation.bulkOperation.id;
  const latenciesMs: number[] = [];
  let last = 0;
  for (;;) {
    const t0 = performance.now();
    // Alternately a page of the fleet and the operation's progress, as consoles watching it do.
    const ask = latenciesMs.length % 2 === 0 ? gql(server.url, SERVICES_PAGE) : gql(server.url, PROGRESS, { id });
    await ask;
    latenciesMs.push(performance.now() - t0);
    await sleep(Math.max(0, settings.askEveryMs - (performance.now() - t0)));
    if (Date.now() - last < settings.pollMs) continue;
    last = Date.now();
    const { node } = await gql<{ node: { state: string; progress: Record<string, number> } }>(server.url, PROGRESS, { id });
    if (node.state !== 'RUNNING') {
      const ended = Math.max(...(await lastFinish(server, id)));
      return { checks: node.progress['total']!, seconds: (ended - started) / 1000, progress: node.progress, latenciesMs };
    }
    if (latenciesMs.length % 200 === 0) console.log(`  ${node.progress['done']}/${node.progress['total']} checked after ${Math.round((Date.now() - started) / 1000)} s`);
    if (Date.now() - started > settings.timeoutMs) throw new Error(`the bulk check is still running after ${settings.timeoutMs} ms: ${JSON.stringify(node.progress)}`);
  }
}

/** When the operation's runs finished (epoch ms): the bulk ends with its last. */
async function lastFinish(server: ServerProcess, id: string): Promise<number[]> {
  const ends: number[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { node: { runs: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ finishedAt: string }> } } } = await gql(
      server.url,
      `query ($id: ID!, $after: String) { node(id: $id) { ... on BulkOperation { runs(first: 500, after: $after) { pageInfo { hasNextPage endCursor } nodes { finishedAt } } } } }`,
      { id, after },
    );
    ends.push(...page.node.runs.nodes.map((run) => Date.parse(run.finishedAt)));
    if (!page.node.runs.pageInfo.hasNextPage) return ends;
    after = page.node.runs.pageInfo.endCursor;
  }
}

/** `count` bare checks of lines from `first` on, `concurrency` at once: their wall time in seconds. */
async function bareChecks(settings: Settings, first: number, count: number): Promise<number> {
  const started = performance.now();
  let next = first;
  const worker = async () => {
    while (next < first + count) {
      const ref = customerRef(next++);
      const vars = { provisio: { run_id: `bare-${ref}`, action: 'provision', operation: 'check_sync', check_mode: true }, service: { id: null, customer_ref: ref }, product: { element_dir: settings.elementDir, rate: RATE }, inventory: {} };
      const result = await execa('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '--check', '--diff', '-e', 'ansible_python_interpreter=/usr/bin/python3', '-e', JSON.stringify(vars), path.join(benchPlaybooksDir, PLAYBOOK)], { reject: false, stdin: 'ignore' });
      if (result.exitCode !== 0 || !/changed=0\b/.test(result.stdout)) throw new Error(`bare check of ${ref}: exit ${result.exitCode}\n${result.stdout.slice(-1500)}\n${result.stderr.slice(-1500)}`);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  return (performance.now() - started) / 1000;
}

await runBench(async () => {
  const options = benchOptions();
  const services = numberOption(options, 'services', 1_000);
  const bare = numberOption(options, 'bare', Math.ceil(services / 2));
  const dir = tempDir('sync');
  const settings: Settings = {
    dir,
    elementDir: path.join(dir, 'element'),
    concurrency: numberOption(options, 'concurrency', 2),
    pollMs: numberOption(options, 'poll-ms', 1_000),
    askEveryMs: numberOption(options, 'ask-every-ms', 100),
    timeoutMs: numberOption(options, 'timeout-s', 7_200) * 1000,
  };
  fs.mkdirSync(path.join(dir, 'lab'));
  const report = new Report('sync');
  Object.assign(report.params, { services, bare, concurrency: settings.concurrency, askEveryMs: settings.askEveryMs, playbook: PLAYBOOK });

  const server = await serverWithLines(settings, services);
  console.log(`${services} lines inserted; bare checks (${Math.floor(bare / 2)}), the bulk check, bare checks (${bare - Math.floor(bare / 2)})`);
  const bareBefore = await bareChecks(settings, 1, Math.floor(bare / 2));
  const bulk = await bulkCheck(server, settings);
  const bareAfter = await bareChecks(settings, 1 + Math.floor(bare / 2), bare - Math.floor(bare / 2));
  await server.stop(30_000);

  if (bulk.progress['inSync'] !== services || bulk.progress['failed'] !== 0) report.note(`not every check found its line in sync: ${JSON.stringify(bulk.progress)}`);
  const provisioRate = bulk.checks / bulk.seconds;
  const bareRate = bare / (bareBefore + bareAfter);
  const latency = { n: bulk.latenciesMs.length, p50: round(percentile(bulk.latenciesMs, 50), 2), p95: round(percentile(bulk.latenciesMs, 95), 2), p99: round(percentile(bulk.latenciesMs, 99), 2), max: round(max(bulk.latenciesMs), 2) };
  table(['', 'checks', 'seconds', 'checks/s'], [
    ['Provisio bulk check', String(bulk.checks), fmt(bulk.seconds), fmt(provisioRate)],
    ['bare ansible-playbook --check', String(bare), fmt(bareBefore + bareAfter), fmt(bareRate)],
  ]);
  table(['API while it ran', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [['services page / progress', String(latency.n), fmt(latency.p50), fmt(latency.p95), fmt(latency.p99), fmt(latency.max)]]);
  Object.assign(report.metrics, { provisio: { checks: bulk.checks, seconds: round(bulk.seconds, 1), perSecond: round(provisioRate, 3), progress: bulk.progress }, bare: { checks: bare, seconds: round(bareBefore + bareAfter, 1), perSecond: round(bareRate, 3) }, apiLatencyMs: latency });
  report.target('bulk check: checks/s ÷ bare ansible-playbook --check', '>=', 0.9, round(provisioRate / bareRate, 3), '×');
  report.target('API p99 while the bulk check runs', '<=', 50, latency.p99, 'ms');
  report.write();
});
