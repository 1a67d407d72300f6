// schedule: --runs (10,000) provisions scheduled for the same moment on the embedded server, a
// short playbook (bench/playbooks/short.yml) and one phone number each.
//
//   accept   --clients (8) clients send the provisions back to back, each with notBefore = the
//            moment (--lead-s, 120 s, after the bench starts): accepted per second.
//   wait     the server's RSS after the last was accepted, and its highest until the moment.
//   start    for --observe-s (60) after the moment: the server's runs as stored (read from its data
//            directory once it has stopped): when the first was queued and started after the moment,
//            when the last was queued (all 10,000 moved from SCHEDULED to QUEUED), the most that ran
//            at once against PROVISIO_MAX_CONCURRENT_RUNS (--concurrency, 4), and how many started.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS, pgdataDir } from '../src/infra/db/pglite/options.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { round } from './lib/stats.ts';
import { embeddedDataDir, runBench, tempDir } from './lib/cleanup.ts';
import { rssMiB } from './lib/cpu-memory.ts';
import { benchPlaybooksDir } from './lib/paths.ts';
import { Report, fmt, table } from './lib/report.ts';
import { createProduct, gql } from './lib/gql.ts';
import { spawnServer, waitReady } from './lib/server.ts';

const SLUG = 'bench-scheduled';
const PROVISION = `mutation ($input: ProvisionServiceInput!) { provisionService(input: $input) { __typename ... on Error { message } } }`;
const ADD_ITEMS = `mutation ($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) { __typename ... on Error { message } } }`;

/** Sends `count` provisions for `at` from `clients` clients back to back: seconds taken. */
async function scheduleAll(url: string, count: number, clients: number, at: string): Promise<number> {
  const started = performance.now();
  let next = 0;
  const client = async () => {
    while (next < count) {
      const n = next++;
      const { provisionService } = await gql<{ provisionService: { __typename: string; message?: string } }>(url, PROVISION, { input: { productSlug: SLUG, customerRef: `line-${n}`, notBefore: at } });
      if (provisionService.__typename !== 'ProvisionServiceSuccess') throw new Error(`provision ${n}: ${JSON.stringify(provisionService)}`);
      if (n % 2000 === 0 && n > 0) console.log(`  ${n} scheduled after ${round((performance.now() - started) / 1000)} s`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return (performance.now() - started) / 1000;
}

interface Stored {
  scheduled: number;
  started: number;
  firstQueuedMs: number | null;
  lastQueuedMs: number | null;
  firstStartedMs: number | null;
  mostAtOnce: number;
}

/** The runs as the server stored them, read from its data directory once it stopped. */
async function storedRuns(dataDir: string, at: Date): Promise<Stored> {
  const pglite = await PGlite.create(pgdataDir(dataDir), PGLITE_OPTIONS);
  try {
    const ms = (column: string, fn: string) => `(EXTRACT(EPOCH FROM (${fn}("${column}") - $1::timestamptz)) * 1000)::float8`;
    const { rows } = await pglite.query<Record<string, number | null>>(
      `SELECT count(*)::int AS scheduled, count("startedAt")::int AS started, ${ms('queuedAt', 'min')} AS "firstQueuedMs", ${ms('queuedAt', 'max')} AS "lastQueuedMs", ${ms('startedAt', 'min')} AS "firstStartedMs"
         FROM "ProvisioningRun" WHERE "notBefore" = $1::timestamptz`,
      [at.toISOString()],
    );
    const { rows: spans } = await pglite.query<{ startedAt: Date; finishedAt: Date | null }>(`SELECT "startedAt", "finishedAt" FROM "ProvisioningRun" WHERE "startedAt" IS NOT NULL`);
    const edges = spans.flatMap((span) => [[span.startedAt.getTime(), 1], [span.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY, -1]] as const);
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let current = 0;
    let mostAtOnce = 0;
    for (const [, step] of edges) mostAtOnce = Math.max(mostAtOnce, (current += step));
    const row = rows[0]!;
    return { scheduled: row['scheduled']!, started: row['started']!, firstQueuedMs: row['firstQueuedMs']!, lastQueuedMs: row['lastQueuedMs']!, firstStartedMs: row['firstStartedMs']!, mostAtOnce };
  } finally {
    await pglite.close();
  }
}

await runBench(async () => {
  const options = benchOptions();
  const runs = numberOption(options, 'runs', 10_000);
  const clients = numberOption(options, 'clients', 8);
  const concurrency = numberOption(options, 'concurrency', 4);
  const leadMs = numberOption(options, 'lead-s', 120) * 1000;
  const observeMs = numberOption(options, 'observe-s', 60) * 1000;
  const report = new Report('schedule');
  Object.assign(report.params, { runs, clients, concurrency, leadS: leadMs / 1000, observeS: observeMs / 1000, playbook: 'short.yml' });
  const benchStart = Date.now();
  const dir = tempDir('schedule');
  fs.mkdirSync(path.join(dir, 'lab'));
  const dataDir = embeddedDataDir(path.join(dir, 'server'));
  const server = await spawnServer({
    PROVISIO_DATA_DIR: dataDir,
    PROVISIO_LAB_DIR: path.join(dir, 'lab'),
    PROVISIO_PLAYBOOKS_DIR: benchPlaybooksDir,
    PROVISIO_SEED_DEMO: 'false',
    PROVISIO_MAX_CONCURRENT_RUNS: String(concurrency),
    PROVISIO_SECRET_KEY: randomBytes(32).toString('base64'),
  });
  await waitReady(server.url);
  await createProduct(server.url, { slug: SLUG, name: 'Bench scheduled', provisionPlaybook: 'short.yml', deprovisionPlaybook: 'short.yml', inventoryRequirements: [{ kind: 'PHONE_NUMBER' }] });
  for (let first = 0; first < runs; first += 10_000) {
    const items = Array.from({ length: Math.min(10_000, runs - first) }, (_, i) => ({ kind: 'PHONE_NUMBER', identifier: `+4930${String(first + i).padStart(8, '0')}` }));
    const added = await gql<{ addInventoryItems: { __typename: string } }>(server.url, ADD_ITEMS, { items });
    if (added.addInventoryItems.__typename !== 'AddInventoryItemsSuccess') throw new Error(JSON.stringify(added));
  }
  const at = new Date(Math.ceil((benchStart + leadMs) / 1000) * 1000);
  const rssBefore = rssMiB(server.pid)!;
  const seconds = await scheduleAll(server.url, runs, clients, at.toISOString()).catch((error: unknown) => {
    console.error(`the server's last output:\n${server.output().slice(-4000)}`);
    throw error;
  });
  const rssAccepted = rssMiB(server.pid)!;
  let rssWaitPeak = rssAccepted;
  if (Date.now() > at.getTime()) report.note(`the provisions took longer than --lead-s: the moment passed ${Date.now() - at.getTime()} ms before the last was accepted`);
  while (Date.now() < at.getTime() - 500) {
    rssWaitPeak = Math.max(rssWaitPeak, rssMiB(server.pid)!);
    await sleep(500);
  }
  await sleep(at.getTime() + observeMs - Date.now());
  const ended = await server.stop(60_000);
  const stored = await storedRuns(dataDir, at);
  if (stored.started === 0) report.note(`no run started (the server ended: ${ended}); its last output:\n${server.output().slice(-4000)}`);

  const acceptRate = runs / seconds;
  table(['', 'value'], [
    ['provisions accepted', `${runs} in ${fmt(seconds)} s = ${fmt(acceptRate)}/s`],
    ['server RSS: before, all accepted, peak while waiting', `${fmt(rssBefore)} / ${fmt(rssAccepted)} / ${fmt(rssWaitPeak)} MiB`],
    ['first queued / started after the moment', `${fmt(stored.firstQueuedMs ?? Number.NaN)} / ${fmt(stored.firstStartedMs ?? Number.NaN)} ms`],
    ['last queued after the moment (all SCHEDULED → QUEUED)', `${fmt(stored.lastQueuedMs ?? Number.NaN)} ms`],
    [`started in ${observeMs / 1000} s; most at once (limit ${concurrency})`, `${stored.started}; ${stored.mostAtOnce}`],
  ]);
  Object.assign(report.metrics, { acceptedPerSecond: round(acceptRate, 1), acceptSeconds: round(seconds, 1), rssMiB: { before: rssBefore, accepted: rssAccepted, waitPeak: rssWaitPeak }, stored });
  if (stored.scheduled !== runs) report.note(`${stored.scheduled} runs stored for the moment, not ${runs}`);
  report.target('provisions scheduled for one moment: accepted per second', '>=', 200, round(acceptRate, 1), '/s');
  report.target('first run started after its time', '<=', 1000, round(stored.firstStartedMs ?? Number.POSITIVE_INFINITY, 0), 'ms');
  report.target('most runs at once ÷ the configured concurrency', '<=', 1, round(stored.mostAtOnce / concurrency, 2), '×');
  report.target('server RSS while they wait: peak ÷ when all were accepted', '<=', 1.1, round(rssWaitPeak / rssAccepted, 3), '×');
  report.write();
});
