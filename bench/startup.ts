// startup: cold start of the embedded server on an existing data directory, and its idle RSS.
//
// First start on a fresh directory (initdb + migrations + demo seed), stop, then N starts of
// `node src/main.ts`: spawn → first 200 from /readyz, RSS after ~5 s idle and after a few queries.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, median } from './lib/stats.ts';
import { procStatusMiB, rssMiB } from './lib/cpu-memory.ts';
import { runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { gql } from './lib/gql.ts';
import { spawnServer, waitReady, type ServerProcess } from './lib/server.ts';

const COLD_START_TARGET_MS = 1_000;
const IDLE_RSS_TARGET_MIB = 300;
const PEAK_RSS_TARGET_MIB = 500;

/** What an operator's UI would load first. */
const QUERIES = [
  `{ products(first: 50) { totalCount nodes { id slug name defaultVariables inventoryRequirements { kind count } } } }`,
  `{ inventoryPools { kind available reserved inUse quarantined retired total } }`,
  `{ inventoryItems(first: 100) { totalCount nodes { id kind identifier attributes status } } }`,
  `{ services(first: 50) { totalCount nodes { id customerRef status } } }`,
  `{ runs(first: 50) { totalCount nodes { id status action lastSeq } } }`,
  `{ playbooks { name sizeBytes } }`,
];

/** Heavy imports of src/main.ts in load order; each measured as the increment over the previous. */
const IMPORTS = ['pino', 'zod', '@electric-sql/pglite', 'graphql', 'graphql-yoga', 'ws', '@pothos/core', '#generated/prisma/client.ts', './src/schema/index.ts', './src/boot/app.ts'];

/** A fresh `node` importing IMPORTS one by one: where "node + module load" goes. */
function importBreakdown(): Record<string, number> {
  const script = `
    const times = {};
    const t0 = performance.now();
    times['node start'] = Math.round(t0);
    let last = t0;
    for (const specifier of ${JSON.stringify(IMPORTS)}) {
      await import(specifier);
      const now = performance.now();
      times[specifier] = Math.round(now - last);
      last = now;
    }
    console.log(JSON.stringify(times));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
}

interface Phases {
  /** spawn → app.start() called: Node start, module loading (type stripping, Prisma client, schema build), config. */
  moduleLoadMs: number;
  /** app.start() → "embedded database open": PGlite start and migration check. */
  databaseOpenMs: number;
  /** database open → "listening": recovery checks, queue, listen. */
  restMs: number;
  /** "listening" log line → first /readyz 200. */
  readyzMs: number;
}

interface StartSample {
  startMs: number;
  listeningMs: number;
  loggedStartupMs: number | undefined;
  phases: Phases | undefined;
  rssAtReadyMiB: number;
  peakRssMiB: number;
  idleRssMiB: number;
  afterQueriesRssMiB: number;
  stopMs: number;
  exit: string;
}

/** Splits the start into phases from the app's own log times (pino `time`, epoch ms). */
function phases(server: ServerProcess, readyAt: number): Phases | undefined {
  const listening = server.startupLog.at(-1);
  const databaseOpen = server.startupLog.find((line) => line.msg.includes('database open'));
  if (!listening || !databaseOpen || server.loggedStartupMs === undefined) return undefined;
  const startCalled = listening.time - server.loggedStartupMs;
  return {
    moduleLoadMs: startCalled - server.spawnedAtEpoch,
    databaseOpenMs: databaseOpen.time - startCalled,
    restMs: listening.time - databaseOpen.time,
    readyzMs: readyAt - server.listeningAt,
  };
}

await runBench(async () => {
  const options = benchOptions();
  const starts = numberOption(options, 'starts', 5);
  const idleMs = numberOption(options, 'idle-ms', 5_000);
  const queryRounds = numberOption(options, 'query-rounds', 5);
  const report = new Report('startup');
  Object.assign(report.params, { starts, idleMs, queryRounds, queries: QUERIES.length });

  const dataDir = tempDir('startup');
  const env = {
    PROVISIO_DATA_DIR: path.join(dataDir, 'data'),
    PROVISIO_LAB_DIR: path.join(dataDir, 'lab'),
  };

  // First-ever start: initdb, migrations and demo seed.
  const first = await spawnServer(env);
  const firstReadyAt = await waitReady(first.url);
  const firstMs = firstReadyAt - first.spawnedAt;
  const firstRss = rssMiB(first.pid) ?? Number.NaN;
  const firstExit = await first.stop();
  console.log(`first start (fresh data dir): ${fmt(firstMs)} ms to ready (app logged startupMs ${first.loggedStartupMs}), RSS ${fmt(firstRss)} MiB, ${firstExit}`);
  if (firstExit !== 'exit 0') throw new Error(`first server did not stop cleanly (${firstExit}):\n${first.output()}`);

  const samples: StartSample[] = [];
  for (let i = 0; i < starts; i++) {
    const server = await spawnServer(env);
    const readyAt = await waitReady(server.url);
    const startMs = readyAt - server.spawnedAt;
    const rssAtReadyMiB = rssMiB(server.pid) ?? Number.NaN;
    await sleep(idleMs);
    const peakRssMiB = procStatusMiB(server.pid, 'VmHWM') ?? Number.NaN;
    const idleRssMiB = rssMiB(server.pid) ?? Number.NaN;
    for (let round = 0; round < queryRounds; round++) {
      for (const query of QUERIES) await gql(server.url, query);
    }
    await sleep(500);
    const afterQueriesRssMiB = rssMiB(server.pid) ?? Number.NaN;
    const stopStarted = performance.now();
    const exit = await server.stop();
    const sample: StartSample = {
      startMs,
      listeningMs: server.listeningAt - server.spawnedAt,
      loggedStartupMs: server.loggedStartupMs,
      phases: phases(server, readyAt),
      rssAtReadyMiB,
      peakRssMiB,
      idleRssMiB,
      afterQueriesRssMiB,
      stopMs: performance.now() - stopStarted,
      exit,
    };
    samples.push(sample);
    console.log(
      `start ${i + 1}/${starts}: ready ${fmt(startMs)} ms (listening log ${fmt(sample.listeningMs)} ms, app startupMs ${sample.loggedStartupMs}), ` +
        `RSS at ready ${fmt(rssAtReadyMiB)} MiB, peak ${fmt(peakRssMiB)} MiB, idle ${fmt(idleRssMiB)} MiB, after queries ${fmt(afterQueriesRssMiB)} MiB, stop ${fmt(sample.stopMs)} ms (${exit})`,
    );
    if (exit !== 'exit 0') report.note(`start ${i + 1}: server stopped with ${exit}`);
  }

  const startTimes = samples.map((s) => s.startMs);
  const idle = samples.map((s) => s.idleRssMiB);
  const afterQueries = samples.map((s) => s.afterQueriesRssMiB);
  const phase = (key: keyof Phases): number[] => samples.flatMap((s) => (s.phases ? [s.phases[key]] : []));
  const row = (label: string, values: number[]): string[] => [label, fmt(median(values)), fmt(Math.min(...values)), fmt(max(values))];
  console.log('');
  table(
    ['measure', 'median', 'min', 'max'],
    [
      row('cold start: spawn → /readyz 200 (ms)', startTimes),
      row('  node + module load (ms)', phase('moduleLoadMs')),
      row('  database open (ms)', phase('databaseOpenMs')),
      row('  recovery + listen (ms)', phase('restMs')),
      row('  "listening" → /readyz 200 (ms)', phase('readyzMs')),
      row('RSS at ready (MiB)', samples.map((s) => s.rssAtReadyMiB)),
      row(`peak RSS (VmHWM) in first ${idleMs / 1000} s (MiB)`, samples.map((s) => s.peakRssMiB)),
      row(`idle RSS after ${idleMs / 1000} s (MiB)`, idle),
      row(`RSS after ${queryRounds * QUERIES.length} queries (MiB)`, afterQueries),
      row('SIGTERM → exit (ms)', samples.map((s) => s.stopMs)),
      ['first-ever start, fresh dir (ms)', fmt(firstMs), '', ''],
    ],
  );

  // Where module loading goes (three fresh processes, median per import).
  const breakdowns = [importBreakdown(), importBreakdown(), importBreakdown()];
  const importsMs: Record<string, number> = {};
  for (const key of Object.keys(breakdowns[0]!)) importsMs[key] = median(breakdowns.map((b) => b[key] ?? Number.NaN));
  console.log('');
  table(
    ['module load: import (incremental, median of 3)', 'ms'],
    Object.entries(importsMs).map(([name, ms]) => [name === 'node start' ? 'node start-up (before the first import)' : name, fmt(ms)]),
  );

  Object.assign(report.metrics, {
    importsMs,
    firstStart: { readyMs: firstMs, loggedStartupMs: first.loggedStartupMs, rssMiB: firstRss },
    coldStartMs: { median: median(startTimes), min: Math.min(...startTimes), max: max(startTimes) },
    phasesMedianMs: {
      moduleLoad: median(phase('moduleLoadMs')),
      databaseOpen: median(phase('databaseOpenMs')),
      recoveryAndListen: median(phase('restMs')),
      readyz: median(phase('readyzMs')),
    },
    idleRssMiB: { median: median(idle), max: max(idle) },
    afterQueriesRssMiB: { median: median(afterQueries), max: max(afterQueries) },
    samples,
  });
  report.target('cold start (median spawn → /readyz 200)', '<=', COLD_START_TARGET_MS, median(startTimes), 'ms');
  report.target('idle RSS (max over starts, idle and after queries)', '<=', IDLE_RSS_TARGET_MIB, Math.max(max(idle), max(afterQueries)), 'MiB');
  report.target(`peak RSS in the first ${idleMs / 1000} s (max over starts)`, '<=', PEAK_RSS_TARGET_MIB, max(samples.map((s) => s.peakRssMiB)), 'MiB');
  if (max(startTimes) > COLD_START_TARGET_MS) report.note(`slowest cold start ${fmt(max(startTimes))} ms is above the target`);
  report.note('"cold" = new process on an existing data directory; the OS page cache is warm (files were just read)');
  report.write();
});
