// soak: --cycles (2,000) provision/deprovision cycles of a short product against one server
// process on the embedded profile, by --clients (4) concurrent clients; every fourth run is watched
// by a runEvents subscriber (graphql-ws and graphql-sse alternating) that must get seq 1..lastSeq
// once, in order. Retention runs every minute with a cutoff of --retention-s (30) seconds, so the
// periodic pruning job works throughout. The server's RSS, open fds, threads, child processes,
// run directories and data directory are sampled over time and compared at quiet points (start,
// after the warm-up, end); at the end nothing may be left behind, and the database is inspected
// after the server stopped (size per table, before and after VACUUM).
import fs from 'node:fs';
import path from 'node:path';
import { pgdataDir } from '../src/infra/db/pglite/options.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchPlaybooksDir } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, median, min, percentile, round } from './lib/stats.ts';
import { processCpuMs, rssMiB } from './lib/cpu-memory.ts';
import { embeddedDataDir, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { inspectDatabase } from './lib/database-size.ts';
import { createProduct, gql, provision, waitTerminal } from './lib/gql.ts';
import { descendantsRss, openFds, runDirsOf, threadCount, treeBytes } from './lib/process-stats.ts';
import { spawnServer, waitReady, type ServerProcess } from './lib/server.ts';
import { check, subscribe } from './lib/subscribers.ts';

const RSS_GROWTH_TARGET_PERCENT = 10;
/** A pooled connection or a relation file PostgreSQL opens for the first time late is not a leak; one per cycle would be. */
const FD_SLACK = 8;
const THREAD_SLACK = 0;
/** The rows retention keeps per cycle (two runs, a service, audit entries: ~4.5 KiB compacted) with room for page slack. */
const DB_GROWTH_TARGET_KIB_PER_CYCLE = 8;
const PRODUCT = 'bench-short';
const MiB = 2 ** 20;

const DEPROVISION = /* GraphQL */ `
  mutation SoakDeprovision($id: ID!) {
    deprovisionService(id: $id) { __typename ... on DeprovisionServiceSuccess { started { run { id } } } ... on Error { message } }
  }
`;
const ADD_ITEMS = /* GraphQL */ `
  mutation SoakAddItems($items: [NewInventoryItemInput!]!) {
    addInventoryItems(items: $items) { __typename ... on AddInventoryItemsSuccess { added } ... on Error { message } }
  }
`;
const PRUNE = /* GraphQL */ `
  mutation SoakPrune($days: Float!) {
    pruneRunHistory(olderThanDays: $days) { __typename ... on PruneRunHistorySuccess { pruned { runs events } } ... on Error { message } }
  }
`;
const LEFTOVERS = /* GraphQL */ `
  query SoakLeftovers {
    queued: runs(filter: { status: QUEUED }) { totalCount }
    running: runs(filter: { status: RUNNING }) { totalCount }
    succeeded: runs(filter: { status: SUCCEEDED }) { totalCount }
    all: runs { totalCount }
    active: services(filter: { status: ACTIVE }) { totalCount }
    inventoryPools { kind total available reserved inUse quarantined }
  }
`;

interface Sample {
  /** Seconds since the first cycle started. */
  s: number;
  cycles: number;
  rssMiB: number;
  fds: number;
  threads: number;
  children: number;
  childrenRssMiB: number;
  runDirs: number;
  pgdataMiB: number;
  baseMiB: number;
  walMiB: number;
}

interface Soak {
  url: string;
  server: ServerProcess;
  dataDir: string;
  clients: number;
  subscribeEvery: number;
  pollMs: number;
  runTimeoutMs: number;
  maxFailures: number;
  started: number;
  nextCycle: number;
  cyclesDone: number;
  runs: number;
  cycleMs: number[];
  runMs: number[];
  streams: { watched: number; complete: number };
  failures: string[];
}

function takeSample(soak: Soak): Sample {
  const pid = soak.server.pid;
  const pgdata = pgdataDir(soak.dataDir);
  const children = descendantsRss(pid);
  return {
    s: round((performance.now() - soak.started) / 1000, 1),
    cycles: soak.cyclesDone,
    rssMiB: round(rssMiB(pid) ?? Number.NaN, 1),
    fds: openFds(pid) ?? Number.NaN,
    threads: threadCount(pid) ?? Number.NaN,
    children: children.count,
    childrenRssMiB: round(children.rssMiB, 1),
    runDirs: runDirsOf(pid),
    pgdataMiB: round(treeBytes(pgdata) / MiB, 2),
    baseMiB: round(treeBytes(path.join(pgdata, 'base')) / MiB, 2),
    walMiB: round(treeBytes(path.join(pgdata, 'pg_wal')) / MiB, 2),
  };
}

/** Resolves when `promise` settles or after `ms`, whichever comes first, leaving no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Waits for a run to end (through its event stream when it is watched); returns its status. */
async function followRun(soak: Soak, runId: string, label: string): Promise<string> {
  const index = soak.runs++;
  const watched = index % soak.subscribeEvery === 0;
  const transport = (index / soak.subscribeEvery) % 2 === 0 ? 'ws' : 'sse';
  const subscriber = watched ? subscribe(soak.url, transport, runId, { run: index, index: 0, early: true }, () => {}) : undefined;
  if (subscriber) await within(subscriber.done, soak.runTimeoutMs);
  const { run } = await waitTerminal(soak.url, runId, { intervalMs: soak.pollMs, timeoutMs: soak.runTimeoutMs });
  if (subscriber) {
    await within(subscriber.done, 10_000); // the stream ends right after the terminal status
    soak.streams.watched++;
    const problem = check(subscriber, run.lastSeq);
    if (problem) soak.failures.push(`${label}: stream of run ${runId} (${subscriber.transport}): ${problem}`);
    else soak.streams.complete++;
  }
  if (run.status !== 'SUCCEEDED') soak.failures.push(`${label}: run ${runId} ended ${run.status}: ${run.statusReason}`);
  if (run.startedAt && run.finishedAt) soak.runMs.push(Date.parse(run.finishedAt) - Date.parse(run.startedAt));
  return run.status;
}

async function cycleOnce(soak: Soak, cycle: number): Promise<void> {
  const started = performance.now();
  const { runId, serviceId } = await provision(soak.url, { productSlug: PRODUCT, customerRef: `soak-${cycle}` });
  if ((await followRun(soak, runId, `cycle ${cycle} provision`)) !== 'SUCCEEDED' || !serviceId) return;
  const data = await gql<{ deprovisionService: { __typename: string; message?: string; started?: { run: { id: string } } } }>(soak.url, DEPROVISION, { id: serviceId });
  const deprovision = data.deprovisionService.started;
  if (!deprovision) throw new Error(`deprovisionService failed: ${JSON.stringify(data.deprovisionService)}`);
  await followRun(soak, deprovision.run.id, `cycle ${cycle} deprovision`);
  soak.cycleMs.push(performance.now() - started);
}

/** The clients take cycles until `until` have been started (or too many failed). */
async function runCycles(soak: Soak, until: number): Promise<void> {
  await Promise.all(
    Array.from({ length: soak.clients }, async () => {
      while (soak.nextCycle < until && soak.failures.length < soak.maxFailures) {
        const cycle = soak.nextCycle++;
        try {
          await cycleOnce(soak, cycle);
        } catch (error) {
          soak.failures.push(`cycle ${cycle}: ${error instanceof Error ? error.message : String(error)}`);
        }
        soak.cyclesDone++;
      }
    }),
  );
}

async function setUp(dir: string, clients: number, retentionS: number): Promise<{ server: ServerProcess; dataDir: string }> {
  const dataDir = embeddedDataDir(dir);
  const labDir = path.join(dir, 'lab');
  fs.mkdirSync(labDir, { recursive: true });
  const server = await spawnServer({
    PROVISIO_DATA_DIR: dataDir,
    PROVISIO_LAB_DIR: labDir,
    PROVISIO_PLAYBOOKS_DIR: benchPlaybooksDir,
    PROVISIO_MAX_CONCURRENT_RUNS: String(clients),
    PROVISIO_SEED_DEMO: 'false',
    // Retention takes days; a fraction of a day lets the periodic job (every minute at the least) prune during the soak.
    PROVISIO_RETENTION_DAYS: String(retentionS / 86_400),
    PROVISIO_RETENTION_INTERVAL_MINUTES: '1',
    LOG_LEVEL: 'info',
  });
  await waitReady(server.url);
  await createProduct(server.url, {
    slug: PRODUCT,
    name: 'Bench: short product',
    provisionPlaybook: 'short.yml',
    deprovisionPlaybook: 'short.yml',
    inventoryRequirements: [{ kind: 'PHONE_NUMBER', count: 1 }],
  });
  // Twice what the clients can hold at once: reservations pick among free numbers and numbers are reused.
  const items = Array.from({ length: 2 * clients }, (_, i) => ({ kind: 'PHONE_NUMBER', identifier: `+4930555${String(i).padStart(4, '0')}` }));
  const added = await gql<{ addInventoryItems: { __typename: string; added?: number } }>(server.url, ADD_ITEMS, { items });
  if (added.addInventoryItems.added !== items.length) throw new Error(`addInventoryItems failed: ${JSON.stringify(added.addInventoryItems)}`);
  return { server, dataDir };
}

await runBench(async () => {
  const options = benchOptions();
  const cycles = numberOption(options, 'cycles', 2000);
  const clients = numberOption(options, 'clients', 4);
  const warmupPercent = numberOption(options, 'warmup-percent', 10);
  const retentionS = numberOption(options, 'retention-s', 30);
  const sampleMs = numberOption(options, 'sample-ms', 2000);
  const settleMs = numberOption(options, 'settle-ms', 6000);
  const warmupCycles = Math.max(1, Math.round((cycles * warmupPercent) / 100));
  const report = new Report('soak');
  const dir = tempDir('soak');
  const { server, dataDir } = await setUp(dir, clients, retentionS);
  console.log(`server pid ${server.pid} at ${server.url}; ${cycles} cycles (${warmupCycles} warm-up) by ${clients} clients`);
  const soak: Soak = {
    url: server.url,
    server,
    dataDir,
    clients,
    subscribeEvery: numberOption(options, 'subscribe-every', 4),
    pollMs: numberOption(options, 'poll-ms', 200),
    runTimeoutMs: numberOption(options, 'run-timeout-s', 300) * 1000,
    maxFailures: numberOption(options, 'max-failures', 10),
    started: performance.now(),
    nextCycle: 0,
    cyclesDone: 0,
    runs: 0,
    cycleMs: [],
    runMs: [],
    streams: { watched: 0, complete: 0 },
    failures: [],
  };
  Object.assign(report.params, { cycles, clients, warmupCycles, retentionS, retentionIntervalMinutes: 1, subscribeEvery: soak.subscribeEvery, pollMs: soak.pollMs, sampleMs, settleMs, playbook: 'short.yml' });

  const quietPoint = async (): Promise<Sample> => {
    await sleep(settleMs); // idle keep-alive connections close after 5 s
    return takeSample(soak);
  };
  const start = await quietPoint();
  soak.started = performance.now();
  const samples: Sample[] = [];
  const sampler = setInterval(() => samples.push(takeSample(soak)), sampleMs);
  let lastPrinted = 0;
  const progress = setInterval(() => {
    if (soak.cyclesDone === lastPrinted) return;
    lastPrinted = soak.cyclesDone;
    const last = samples.at(-1);
    console.log(`  ${soak.cyclesDone}/${cycles} cycles, ${fmt((performance.now() - soak.started) / 1000)} s${last ? `: RSS ${fmt(last.rssMiB)} MiB, fds ${last.fds}, threads ${last.threads}, base ${fmt(last.baseMiB)} MiB, WAL ${fmt(last.walMiB)} MiB` : ''}`);
  }, 30_000);
  let afterWarmup: Sample | undefined;
  let end: Sample | undefined;
  let cpuWarm: ReturnType<typeof processCpuMs>;
  let cpuEnd: ReturnType<typeof processCpuMs>;
  let measuredMs: number;
  try {
    await runCycles(soak, warmupCycles);
    afterWarmup = await quietPoint();
    cpuWarm = processCpuMs(server.pid);
    const measuredFrom = performance.now();
    await runCycles(soak, cycles);
    measuredMs = performance.now() - measuredFrom;
    end = await quietPoint();
    cpuEnd = processCpuMs(server.pid);
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
  await finish({ report, soak, samples, start, afterWarmup, end, cpuWarm, cpuEnd, measuredMs, cycles, warmupCycles, retentionS });
});

interface Finish {
  report: Report;
  soak: Soak;
  samples: Sample[];
  start: Sample;
  afterWarmup: Sample;
  end: Sample;
  cpuWarm: ReturnType<typeof processCpuMs>;
  cpuEnd: ReturnType<typeof processCpuMs>;
  measuredMs: number;
  cycles: number;
  warmupCycles: number;
  retentionS: number;
}

interface Leftovers {
  queued: { totalCount: number };
  running: { totalCount: number };
  succeeded: { totalCount: number };
  all: { totalCount: number };
  active: { totalCount: number };
  inventoryPools: Array<{ kind: string; total: number; available: number; reserved: number; inUse: number; quarantined: number }>;
}

/** Median of a field over the samples taken while the completed cycles were in [from, to). */
/** RSS samples taken while the completed cycles were in [from, to): median, min and max. */
function rssWindow(samples: readonly Sample[], from: number, to: number): { median: number; min: number; max: number; samples: number } {
  const values = samples.filter((sample) => sample.cycles >= from && sample.cycles < to).map((sample) => sample.rssMiB);
  return { median: median(values), min: min(values), max: max(values), samples: values.length };
}

async function finish(f: Finish): Promise<void> {
  const { report, soak, samples, start, afterWarmup, end } = f;
  const leftovers = await gql<Leftovers>(soak.url, LEFTOVERS);
  const prune = await gql<{ pruneRunHistory: { __typename: string; pruned?: { runs: number; events: number } } }>(soak.url, PRUNE, { days: 0 });
  const pruned = prune.pruneRunHistory.pruned;
  if (!pruned) throw new Error(`pruneRunHistory failed: ${JSON.stringify(prune.pruneRunHistory)}`);
  const afterPrune = takeSample(soak);
  const exit = await soak.server.stop();
  if (exit !== 'exit 0') report.note(`server stopped with ${exit}`);
  const runDirsAfterStop = runDirsOf(soak.server.pid);
  const database = await inspectDatabase(soak.dataDir);

  const measuredCycles = end.cycles - afterWarmup.cycles;
  const window = Math.max(1, Math.round(measuredCycles / 10));
  // The heap's sawtooth (a major collection every minute or two) makes one sample a matter of
  // phase: compare the medians over the first and last tenth of the measured cycles.
  const rssEarly = rssWindow(samples, afterWarmup.cycles, afterWarmup.cycles + window);
  const rssLate = rssWindow(samples, end.cycles - window, end.cycles + 1);
  const rssGrowthPercent = (100 * (rssLate.median - rssEarly.median)) / rssEarly.median;
  const baseGrowthKiBPerCycle = ((end.baseMiB - afterWarmup.baseMiB) * 1024) / measuredCycles;
  // Tables that gain rows every cycle (runs, services, audit entries), compacted: what retention keeps.
  const keptTables = database.afterVacuumFull.tables.filter((t) => t.rows >= end.cycles);
  const liveKiBPerCycle = keptTables.reduce((sum, t) => sum + t.bytes, 0) / 1024 / end.cycles;
  const serverCpuMsPerCycle = ((f.cpuEnd?.own ?? Number.NaN) - (f.cpuWarm?.own ?? Number.NaN)) / measuredCycles;
  const ansibleCpuMsPerCycle = ((f.cpuEnd?.children ?? Number.NaN) - (f.cpuWarm?.children ?? Number.NaN)) / measuredCycles;
  const sPerCycle = f.measuredMs / 1000 / measuredCycles;
  const reserved = leftovers.inventoryPools.reduce((sum, pool) => sum + pool.reserved + pool.inUse, 0);
  const stuckRuns = leftovers.queued.totalCount + leftovers.running.totalCount;
  const peak = (field: keyof Sample): number => max([start, afterWarmup, end, ...samples].map((sample) => sample[field]));
  const points = (field: keyof Sample): string => `${fmt(start[field])} / ${fmt(afterWarmup[field])} / ${fmt(end[field])} / ${fmt(peak(field))}`;
  const mib = (bytes: number): string => fmt(bytes / MiB);
  const retention = f.retentionS > 0 ? `retention ${f.retentionS} s` : 'retention off';

  console.log('');
  table(
    ['measure', 'value'],
    [
      ['cycles done (warm-up + measured), clients', `${end.cycles} (${afterWarmup.cycles} + ${measuredCycles}), ${soak.clients}`],
      ['runs succeeded / total', `${leftovers.succeeded.totalCount} / ${leftovers.all.totalCount}`],
      ['streams watched / complete (seq 1..lastSeq once, in order)', `${soak.streams.watched} / ${soak.streams.complete}`],
      ['failures (runs not SUCCEEDED, incomplete streams, errors)', String(soak.failures.length)],
      ['time per cycle, throughput (s; wall of the measured cycles ÷ cycles)', fmt(sPerCycle)],
      ['  a cycle end to end, median / p99 (s; provision + deprovision, one client)', `${fmt(median(soak.cycleMs) / 1000)} / ${fmt(percentile(soak.cycleMs, 99) / 1000)}`],
      ['  a run started → finished, median / p99 (s)', `${fmt(median(soak.runMs) / 1000)} / ${fmt(percentile(soak.runMs, 99) / 1000)}`],
      ['  2,000 cycles at this pace (min)', fmt((2000 * sPerCycle) / 60)],
      ['CPU per measured cycle: server / ansible-playbook and forks (ms)', `${fmt(serverCpuMsPerCycle)} / ${fmt(ansibleCpuMsPerCycle)}`],
      ['server RSS start / after warm-up / end / max (MiB)', points('rssMiB')],
      [`  under load, first ${window} measured cycles: median (min–max) (MiB)`, `${fmt(rssEarly.median)} (${fmt(rssEarly.min)}–${fmt(rssEarly.max)})`],
      [`  under load, last ${window} cycles: median (min–max) (MiB)`, `${fmt(rssLate.median)} (${fmt(rssLate.min)}–${fmt(rssLate.max)})`],
      ['  growth, first → last (medians)', `${fmt(rssGrowthPercent)} %`],
      ['server open fds start / after warm-up / end / max', points('fds')],
      ['server threads start / after warm-up / end / max', points('threads')],
      ['child processes (ansible-playbook and forks) end / max', `${end.children} / ${peak('children')}`],
      ['  their RSS summed, max (MiB)', fmt(peak('childrenRssMiB'))],
      ['run directories end / max / after stop', `${end.runDirs} / ${peak('runDirs')} / ${runDirsAfterStop}`],
      ['data dir: pgdata / base / pg_wal, start (MiB)', `${fmt(start.pgdataMiB)} / ${fmt(start.baseMiB)} / ${fmt(start.walMiB)}`],
      ['  after warm-up (MiB)', `${fmt(afterWarmup.pgdataMiB)} / ${fmt(afterWarmup.baseMiB)} / ${fmt(afterWarmup.walMiB)}`],
      ['  end (MiB)', `${fmt(end.pgdataMiB)} / ${fmt(end.baseMiB)} / ${fmt(end.walMiB)}`],
      ['  after pruning everything (MiB)', `${fmt(afterPrune.pgdataMiB)} / ${fmt(afterPrune.baseMiB)} / ${fmt(afterPrune.walMiB)}`],
      [`database files (base/) growth per measured cycle, ${retention} (KiB)`, fmt(baseGrowthKiBPerCycle)],
      ['runs pruned by the periodic job / by pruneRunHistory(0) at the end (events)', `${leftovers.all.totalCount - pruned.runs} / ${pruned.runs} (${fmt(pruned.events)})`],
      ['pg_database_size as left / after VACUUM / after VACUUM FULL (MiB)', `${mib(database.asLeft.databaseBytes)} / ${mib(database.afterVacuumBytes)} / ${mib(database.afterVacuumFull.databaseBytes)}`],
      [`  rows kept per cycle after VACUUM FULL (KiB; ${keptTables.map((t) => t.table).join(', ')})`, fmt(liveKiBPerCycle)],
      ...database.asLeft.tables.slice(0, 5).map((t) => {
        const compacted = database.afterVacuumFull.tables.find((c) => c.table === t.table);
        return [`  ${t.table}: MiB as left / after VACUUM FULL (rows)`, `${mib(t.bytes)} / ${mib(compacted?.bytes ?? Number.NaN)} (${fmt(t.rows)})`];
      }),
      ['left behind: runs QUEUED / RUNNING', `${leftovers.queued.totalCount} / ${leftovers.running.totalCount}`],
      ...leftovers.inventoryPools.filter((pool) => pool.total > 0).map((pool) => [`left behind: ${pool.kind} items RESERVED / IN_USE / QUARANTINED (of)`, `${pool.reserved} / ${pool.inUse} / ${pool.quarantined} (${pool.total})`]),
      ['left behind: ACTIVE services', String(leftovers.active.totalCount)],
    ],
  );
  for (const failure of soak.failures.slice(0, 10)) console.log(`  ${failure}`);

  Object.assign(report.metrics, {
    cyclesDone: end.cycles,
    measuredCycles,
    secondsPerCycle: sPerCycle,
    cycleMs: { median: median(soak.cycleMs), p99: percentile(soak.cycleMs, 99), max: max(soak.cycleMs) },
    runMs: { median: median(soak.runMs), p99: percentile(soak.runMs, 99), max: max(soak.runMs) },
    cpuMsPerCycle: { server: serverCpuMsPerCycle, ansible: ansibleCpuMsPerCycle },
    streams: soak.streams,
    failures: soak.failures,
    quietPoints: { start, afterWarmup, end, afterPrune },
    rss: { growthPercent: rssGrowthPercent, firstWindowMiB: rssEarly, lastWindowMiB: rssLate, windowCycles: window },
    peaks: { rssMiB: peak('rssMiB'), fds: peak('fds'), threads: peak('threads'), children: peak('children'), childrenRssMiB: peak('childrenRssMiB'), runDirs: peak('runDirs') },
    baseGrowthKiBPerCycle,
    liveKiBPerCycle,
    retention: { prunedByPeriodicJob: leftovers.all.totalCount - pruned.runs, prunedAtEnd: pruned },
    database,
    leftovers,
    runDirsAfterStop,
    serverExit: exit,
    samples,
  });
  report.target('server RSS after warm-up → end (medians under load)', '<=', RSS_GROWTH_TARGET_PERCENT, rssGrowthPercent, '%');
  report.target('server open fds, end − after warm-up', '<=', FD_SLACK, end.fds - afterWarmup.fds, '');
  report.target('server threads, end − after warm-up', '<=', THREAD_SLACK, end.threads - afterWarmup.threads, '');
  report.target(`database files growth per cycle, ${retention}`, '<=', DB_GROWTH_TARGET_KIB_PER_CYCLE, baseGrowthKiBPerCycle, 'KiB');
  report.target('runs left QUEUED or RUNNING', '<=', 0, stuckRuns, '');
  report.target('inventory items left RESERVED or IN_USE', '<=', 0, reserved, '');
  report.target('run directories and child processes left', '<=', 0, end.runDirs + end.children + runDirsAfterStop, '');
  report.target('runs not SUCCEEDED, incomplete streams, errors', '<=', 0, soak.failures.length + (end.cycles < f.cycles ? 1 : 0), '');
  report.write();
}
