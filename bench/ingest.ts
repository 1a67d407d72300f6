// ingest: events/s through the run-event path (parse → persist → publish) on the embedded profile.
//
// Synthetic callback-plugin lines (runner_ok with task/host/result) are fed in 64 KiB chunks, as
// the runner reads its event pipe, through createEventLineParser into RunEventRecorder.record
// (awaiting its backpressure promise), with an in-memory event bus subscriber counting published
// events. Timed from the first chunk to the last event persisted (recorder.flush()) and published.
// Then the stored rows are checked: count, seq 1..N contiguous, run.lastSeq.
// With --profile (or when the target is missed) the parts are measured on their own.
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { PrismaClient } from '#generated/prisma/client.ts';
import { RunEventRecorder } from '../src/domain/runs/recorder.ts';
import { GroupCommitEventStore } from '../src/infra/db/run-event-store.ts';
import type { SqlStatements } from '../src/infra/db/sql-statements.ts';
import { openDatabase, type Database } from '../src/infra/db/database.ts';
import type { EventBus } from '../src/domain/ports/event-bus.ts';
import { createMemoryEventBus } from '../src/infra/pubsub/pubsub.ts';
import { createEventLineParser, type RunnerEvent } from '../src/runner/index.ts';
import { resultsDir } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { median, round } from './lib/stats.ts';
import { embeddedDataDir, onCleanup, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { cpuProfile } from './lib/profiler.ts';

const TRICKLE_CPU_TARGET_MS = 0.5;
const TARGET_EVENTS_PER_S = 20_000;
const CHUNK_BYTES = 64 * 1024;

/** N lines like the plugin writes for `runner_ok` of a debug/copy task (~450 bytes each). */
function syntheticLines(count: number): Buffer {
  const started = Date.now();
  const lines: string[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const task = seq % 50;
    const copy = task % 5 === 0;
    const event = {
      type: 'runner_ok',
      seq,
      ts: new Date(started + seq).toISOString().replace('Z', '123+00:00'),
      task: `Task ${String(task).padStart(2, '0')}: ${copy ? 'copy' : 'debug'}`,
      taskUuid: `0242ac11-0002-${String(seq % 10_000).padStart(4, '0')}-0000-0000000000${String(task).padStart(2, '0')}`,
      action: copy ? 'ansible.builtin.copy' : 'ansible.builtin.debug',
      sectionPath: [],
      path: `/srv/playbooks/bench/provision.yml:${10 + task * 4}`,
      host: 'localhost',
      changed: copy,
      result: copy
        ? { changed: true, dest: `/var/lib/lab/fifty/file-${task}.txt`, checksum: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', mode: '0640', size: 16, state: 'file', uid: 0, gid: 0 }
        : { msg: `step ${task} of 50 in /var/lib/lab/fifty-${seq}`, changed: false, _ansible_verbose_always: true },
    };
    lines.push(JSON.stringify(event));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

function nthNewline(buffer: Buffer, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) {
    const next = buffer.indexOf(0x0a, at + 1);
    if (next === -1) break;
    at = next;
  }
  return at;
}

function* chunks(buffer: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += CHUNK_BYTES) yield buffer.subarray(offset, offset + CHUNK_BYTES);
}

async function createRun(prisma: PrismaClient, label: string): Promise<string> {
  const product = await prisma.product.create({
    data: { slug: `bench-ingest-${label}`, name: `Bench ingest ${label}`, provisionPlaybook: 'fifty-tasks.yml', deprovisionPlaybook: 'fifty-tasks.yml' },
  });
  const service = await prisma.service.create({ data: { productId: product.id, customerRef: `bench-${label}` } });
  const run = await prisma.provisioningRun.create({
    data: { productId: product.id, serviceId: service.id, action: 'PROVISION', status: 'RUNNING', playbook: 'fifty-tasks.yml', timeoutSeconds: 600, startedAt: new Date() },
  });
  return run.id;
}

/** Counts a run's published events, checking they come 1, 2, 3, …; done resolves once `expect(n)` events arrived. */
function countPublished(events: EventBus, runId: string) {
  let count = 0;
  let outOfOrder = 0;
  let expected = Number.POSITIVE_INFINITY;
  let resolveDone: (count: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const iterator = events.subscribe('run:event', runId)[Symbol.asyncIterator]();
  const finishIfComplete = (): boolean => {
    if (count < expected) return false;
    resolveDone(count);
    void iterator.return?.();
    return true;
  };
  void (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      count++;
      if (next.value.seq !== count) outOfOrder++;
      if (finishIfComplete()) return;
    }
  })();
  return {
    done,
    expect(n: number) {
      expected = n;
      finishIfComplete();
    },
    count: () => count,
    outOfOrder: () => outOfOrder,
  };
}

interface BatchStats {
  transactions: number;
  transactionMs: number[];
  batchSizes: number[];
}

/** Wraps the SQL driver the run event store uses to time its commits and see their batch sizes (src/ untouched). */
function instrument(sql: SqlStatements, stats: BatchStats): SqlStatements {
  return {
    query: (statement, params) => sql.query(statement, params),
    async execute(statement, params, options) {
      if (!statement.includes('INSERT INTO "RunEvent"')) return sql.execute(statement, params, options);
      // A few events are bound as parameters (9 each, with the run rows after them); a batch is
      // one JSON array parameter.
      const json = params.find((param): param is string => typeof param === 'string' && param.startsWith('[') && param.includes('"seq":'));
      stats.batchSizes.push(json ? json.split('"seq":').length - 1 : statement.split('::timestamptz').length - 1);
      const started = performance.now();
      try {
        return await sql.execute(statement, params, options);
      } finally {
        stats.transactions++;
        stats.transactionMs.push(performance.now() - started);
      }
    },
  };
}

/** Feeds the lines through parser → recorder; resolves when every event is persisted and published. */
async function ingest(sql: SqlStatements, events: EventBus, runId: string, input: Buffer, deadline = Number.POSITIVE_INFINITY) {
  const published = countPublished(events, runId);
  const recorder = new RunEventRecorder(new GroupCommitEventStore(sql), events, runId);
  const parser = createEventLineParser();
  let parsed = 0;
  let waits = 0;
  const deliver = async (batch: RunnerEvent[]): Promise<void> => {
    for (const event of batch) {
      parsed++;
      const pending = recorder.record(event);
      if (pending) {
        waits++;
        await pending;
      }
    }
  };
  const started = performance.now();
  let stoppedEarly = false;
  for (const chunk of chunks(input)) {
    await deliver(parser.push(chunk));
    if (performance.now() > deadline) {
      stoppedEarly = true; // time budget: the rest of the input is not fed (a partial last line is dropped)
      break;
    }
  }
  if (!stoppedEarly) await deliver(parser.end());
  const parsedAt = performance.now();
  await recorder.flush();
  const persistedAt = performance.now();
  published.expect(parsed);
  await published.done;
  const publishedAt = performance.now();
  return {
    parsed,
    stoppedEarly,
    backpressureWaits: waits,
    recorderLastSeq: recorder.lastSeq,
    publishedCount: published.count(),
    outOfOrder: published.outOfOrder(),
    totalMs: publishedAt - started,
    feedMs: parsedAt - started,
    drainMs: persistedAt - parsedAt,
    publishTailMs: publishedAt - persistedAt,
  };
}

async function verifyStored(database: Database, runId: string, expected: number) {
  const [row] = await database.sql.query<{ count: number; min: number | null; max: number | null; distinct: number }>(
    'SELECT count(*)::int AS count, min(seq) AS min, max(seq) AS max, count(DISTINCT seq)::int AS distinct FROM "RunEvent" WHERE "runId" = $1',
    [runId],
  );
  const run = await database.prisma.provisioningRun.findUniqueOrThrow({ where: { id: runId }, select: { lastSeq: true, okCount: true } });
  const contiguous = row !== undefined && row.count === expected && row.min === 1 && row.max === expected && row.distinct === expected;
  return { stored: row?.count ?? 0, minSeq: row?.min ?? null, maxSeq: row?.max ?? null, contiguous, runLastSeq: run.lastSeq, okCount: run.okCount };
}

/** The parts on their own: where the time goes. */
async function profile(database: Database, input: Buffer, count: number): Promise<Record<string, unknown>> {
  const { prisma } = database;
  const results: Record<string, unknown> = {};
  const rate = (n: number, ms: number): number => round(n / (ms / 1000), 0);

  // 1. Parsing only.
  {
    const parser = createEventLineParser();
    const started = performance.now();
    let n = 0;
    for (const chunk of chunks(input)) n += parser.push(chunk).length;
    n += parser.end().length;
    const ms = performance.now() - started;
    results.parseOnly = { events: n, ms: round(ms), eventsPerS: rate(n, ms) };
  }

  // 2. Parser + recorder + publish with a database that answers at once (recorder CPU cost).
  // The stub answers on the next macrotask: answering within microtasks lets the recorder publish
  // batch after batch before the subscriber drains, and graphql-yoga's pub/sub (a Repeater per
  // subscriber, at most 1024 pending pushes) then throws RepeaterOverflowError (see README).
  {
    const answerNextTurn = () => new Promise<never[]>((resolve) => setImmediate(() => resolve([])));
    const stub: SqlStatements = { query: answerNextTurn, execute: async () => void (await answerNextTurn()) };
    const events = createMemoryEventBus();
    const r = await ingest(stub, events, 'no-db-run', input);
    results.noDatabase = { events: r.publishedCount, ms: round(r.totalMs), eventsPerS: rate(r.publishedCount, r.totalMs) };
  }

  // Rows as the recorder builds them.
  const sample = createEventLineParser().push(input.subarray(0, Math.min(input.length, 512 * 1024)));
  const rowsFor = (runId: string, from: number, size: number) =>
    Array.from({ length: size }, (_, i) => {
      const { type, seq: _seq, task, host, section, changed, ...data } = sample[i % sample.length] as RunnerEvent & Record<string, unknown>;
      return {
        runId,
        seq: from + i,
        type,
        task: typeof task === 'string' ? task : null,
        host: typeof host === 'string' ? host : null,
        section: typeof section === 'string' ? section : null,
        changed: typeof changed === 'boolean' ? changed : null,
        data: data as object,
        createdAt: new Date(),
      };
    });
  const allProfileRows = Math.min(count, numberOption(benchOptions(), 'profile-rows', 10_000));

  // 3. Prisma createMany alone, and in the recorder's transaction with the run update, per batch
  // size. Batches of 1 are what a live run mostly produces (events trickle in).
  for (const batchSize of [1, 100, 1_000, 5_000]) {
    const profileRows = batchSize === 1 ? Math.min(allProfileRows, 500) : allProfileRows;
    const runId = await createRun(prisma, `profile-cm-${batchSize}`);
    let started = performance.now();
    for (let from = 1; from <= profileRows; from += batchSize) {
      await prisma.runEvent.createMany({ data: rowsFor(runId, from, Math.min(batchSize, profileRows - from + 1)) });
    }
    const createManyMs = performance.now() - started;
    const txRunId = await createRun(prisma, `profile-tx-${batchSize}`);
    started = performance.now();
    for (let from = 1; from <= profileRows; from += batchSize) {
      const data = rowsFor(txRunId, from, Math.min(batchSize, profileRows - from + 1));
      await prisma.$transaction([
        prisma.runEvent.createMany({ data }),
        prisma.provisioningRun.update({ where: { id: txRunId }, data: { lastSeq: from + data.length - 1, okCount: from } }),
      ]);
    }
    const transactionMs = performance.now() - started;
    results[`prismaBatch${batchSize}`] = {
      rows: profileRows,
      transactionMsEach: round(transactionMs / Math.ceil(profileRows / batchSize), 2),
      createManyMs: round(createManyMs),
      createManyRowsPerS: rate(profileRows, createManyMs),
      transactionMs: round(transactionMs),
      transactionRowsPerS: rate(profileRows, transactionMs),
    };
  }

  const profileRows = allProfileRows;

  // 4. The same rows as one multi-row INSERT … SELECT FROM unnest(…) straight on PGlite (no Prisma).
  {
    const runId = await createRun(prisma, 'profile-raw');
    const batchSize = 1_000;
    let jsonMs = 0;
    const started = performance.now();
    for (let from = 1; from <= profileRows; from += batchSize) {
      const rows = rowsFor(runId, from, Math.min(batchSize, profileRows - from + 1));
      const jsonStarted = performance.now();
      const data = rows.map((r) => JSON.stringify(r.data));
      jsonMs += performance.now() - jsonStarted;
      await database.sql.query(
        `INSERT INTO "RunEvent" ("runId", seq, type, task, host, section, changed, data, "createdAt")
         SELECT $1::uuid, s, t, k, h, sec, c, d::jsonb, now() FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[]) AS u(s, t, k, h, sec, c, d)`,
        [runId, rows.map((r) => r.seq), rows.map((r) => r.type), rows.map((r) => r.task), rows.map((r) => r.host), rows.map((r) => r.section), rows.map((r) => r.changed), data],
      );
    }
    const ms = performance.now() - started;
    results.rawPgliteUnnest1000 = { rows: profileRows, ms: round(ms), rowsPerS: rate(profileRows, ms), jsonStringifyMs: round(jsonMs) };
  }

  // 5. A CPU profile of the full path (its own run, so the measurement above is unaffected).
  {
    const runId = await createRun(prisma, 'profile-cpu');
    const lines = Math.min(count, profileRows);
    const slice = input.subarray(0, nthNewline(input, lines) + 1);
    const file = path.join(resultsDir, 'ingest.cpuprofile');
    fs.mkdirSync(resultsDir, { recursive: true });
    const { result, summary } = await cpuProfile(file, () => ingest(database.sql, createMemoryEventBus(), runId, slice));
    results.cpuProfile = {
      events: result.publishedCount,
      eventsPerSUnderProfiler: rate(result.publishedCount, result.totalMs),
      file: path.relative(process.cwd(), file),
      sampledMs: summary.totalMs,
      byPackage: summary.byPackage.slice(0, 10).map((p) => `${p.name} ${p.percent}%`),
      byFunction: summary.byFunction.slice(0, 12).map((f) => `${f.name} ${f.percent}%`),
    };
  }

  // 6. Publishing alone: N messages to one subscriber on the in-memory bus.
  {
    const events = createMemoryEventBus();
    const published = countPublished(events, 'publish-only');
    published.expect(count);
    const started = performance.now();
    for (let seq = 1; seq <= count; seq++) {
      events.publish('run:event', 'publish-only', { runId: 'publish-only', seq, type: 'runner_ok', task: null, host: null, section: null, changed: null, data: {}, createdAt: '' });
      // Like the recorder: at most 1,000 at once, then the subscriber gets to drain.
      if (seq % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await published.done;
    const ms = performance.now() - started;
    results.publishOnly = { events: count, ms: round(ms), eventsPerS: rate(count, ms) };
  }
  return results;
}

/**
 * Events trickling in one at a time, as during a live run (a task's events are milliseconds
 * apart): each is its own commit. Wall and CPU time per event through the recorder, its group
 * commit and the publish; the best of three rounds of 500 (one GC or a neighbour's burst should
 * not decide it).
 */
async function trickle(database: Database, input: Buffer) {
  const sampleEvents = createEventLineParser().push(input.subarray(0, Math.min(input.length, 512 * 1024)));
  const n = Math.min(500, sampleEvents.length);
  const store = new GroupCommitEventStore(database.sql);
  const rounds = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const runId = await createRun(database.prisma, `trickle-${attempt}`);
    const events = createMemoryEventBus();
    const published = countPublished(events, runId);
    const recorder = new RunEventRecorder(store, events, runId);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const pending = recorder.record(sampleEvents[i]!);
      if (pending) await pending;
      await recorder.flush();
    }
    published.expect(n);
    await published.done;
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    rounds.push({ msPerEvent: ms / n, cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / n });
  }
  const best = rounds.reduce((a, b) => (b.cpuMsPerEvent < a.cpuMsPerEvent ? b : a));
  return { events: n, rounds: rounds.length, msPerEvent: best.msPerEvent, cpuMsPerEvent: best.cpuMsPerEvent, cpuMsPerEventAll: rounds.map((r) => round(r.cpuMsPerEvent, 3)) };
}

await runBench(async () => {
  const options = benchOptions();
  const count = numberOption(options, 'events', 100_000);
  const forceProfile = options.has('profile');
  const budgetS = numberOption(options, 'budget-s', 150);
  const report = new Report('ingest');
  Object.assign(report.params, { events: count, chunkBytes: CHUNK_BYTES, profile: forceProfile, budgetS });

  const input = syntheticLines(count);
  console.log(`${fmt(count)} synthetic runner_ok lines, ${fmt(input.length / 2 ** 20)} MiB (${fmt(input.length / count)} bytes/line)`);
  const dataDir = tempDir('ingest');
  const opened = performance.now();
  const database = await openDatabase({ dataDir: embeddedDataDir(dataDir), logger: pino({ level: 'silent' }) });
  onCleanup(() => database.close());
  console.log(`embedded database opened and migrated in ${fmt(performance.now() - opened)} ms`);

  const runId = await createRun(database.prisma, 'main');
  const events = createMemoryEventBus();
  const batches: BatchStats = { transactions: 0, transactionMs: [], batchSizes: [] };
  const result = await ingest(instrument(database.sql, batches), events, runId, input, performance.now() + budgetS * 1000);
  const fed = result.parsed;
  if (result.stoppedEarly) report.note(`time budget of ${budgetS} s reached: ${fmt(fed)} of ${fmt(count)} events fed; throughput is over those`);
  const eventsPerS = result.publishedCount / (result.totalMs / 1000);
  const stored = await verifyStored(database, runId, fed);
  const dbMs = batches.transactionMs.reduce((a, b) => a + b, 0);

  table(
    ['measure', 'value'],
    [
      ['events parsed / published / stored', `${fmt(result.parsed)} / ${fmt(result.publishedCount)} / ${fmt(stored.stored)}`],
      ['first line → last event persisted + published (ms)', fmt(result.totalMs)],
      ['  feeding (parse + record, incl. backpressure waits) (ms)', fmt(result.feedMs)],
      ['  final flush after the last line (ms)', fmt(result.drainMs)],
      ['  publish tail after flush (ms)', fmt(result.publishTailMs)],
      ['throughput (events/s)', fmt(eventsPerS)],
      ['backpressure waits', fmt(result.backpressureWaits)],
      ['commits (events batch + run update, one statement)', fmt(batches.transactions)],
      ['batch size median / max', `${fmt(median(batches.batchSizes))} / ${fmt(Math.max(...batches.batchSizes))}`],
      ['time inside commits (ms, share)', `${fmt(dbMs)} (${fmt((100 * dbMs) / result.totalMs)} %)`],
      ['commit ms per 1,000 rows (median)', fmt(median(batches.transactionMs.map((ms, i) => (ms * 1000) / (batches.batchSizes[i] ?? 1000))))],
      ['published out of order', fmt(result.outOfOrder)],
      ['stored seq min..max, contiguous', `${stored.minSeq}..${stored.maxSeq}, ${stored.contiguous ? 'yes' : 'NO'}`],
      ['run.lastSeq / okCount', `${stored.runLastSeq} / ${stored.okCount}`],
    ],
  );

  const trickled = await trickle(database, input);
  console.log(`trickle: ${fmt(trickled.events)} events one at a time, best of ${trickled.rounds}: ${fmt(trickled.msPerEvent)} ms and ${fmt(trickled.cpuMsPerEvent)} ms CPU per event (rounds: ${trickled.cpuMsPerEventAll.join(', ')} ms CPU)`);

  const correct = fed > 0 && stored.contiguous && result.publishedCount === fed && result.outOfOrder === 0 && stored.runLastSeq === fed && result.recorderLastSeq === fed;
  Object.assign(report.metrics, {
    eventsPerS,
    ...result,
    inputBytes: input.length,
    transactions: batches.transactions,
    batchSizeMedian: median(batches.batchSizes),
    batchSizeMax: Math.max(...batches.batchSizes),
    transactionMsTotal: dbMs,
    transactionMsMedian: median(batches.transactionMs),
    stored,
    correct,
    trickle: trickled,
  });
  report.target('ingest throughput (parse → persist → publish)', '>=', TARGET_EVENTS_PER_S, eventsPerS, 'events/s');
  report.target('events stored and published exactly once, seq contiguous (1 = yes)', '>=', 1, correct ? 1 : 0, '');
  report.target('Node CPU per event trickling in (live run)', '<=', TRICKLE_CPU_TARGET_MS, trickled.cpuMsPerEvent, 'ms');

  if (forceProfile || eventsPerS < TARGET_EVENTS_PER_S) {
    console.log('\nprofiling the parts on their own…');
    const parts = await profile(database, input, count);
    report.metrics.profile = parts;
    const rows: string[][] = [];
    for (const [name, value] of Object.entries(parts)) {
      if (name === 'cpuProfile') continue;
      rows.push([name, JSON.stringify(value)]);
    }
    table(['part', 'result'], rows);
    const cpu = parts.cpuProfile as { file: string; eventsPerSUnderProfiler: number; byPackage: string[]; byFunction: string[] };
    console.log(`\nCPU profile of the full path (${fmt(cpu.eventsPerSUnderProfiler)} events/s under the profiler), ${cpu.file}:`);
    console.log(`  self time by package: ${cpu.byPackage.join(', ')}`);
    console.log('  self time by function:');
    for (const fn of cpu.byFunction) console.log(`    ${fn}`);
  }
  report.write();
});
