// load: 20 concurrent runs with 200 runEvents subscribers against the real server process.
//
// The server runs as `node src/main.ts` (embedded profile, PROVISIO_MAX_CONCURRENT_RUNS=20) so
// its RSS can be sampled every 200 ms. A product whose playbook streams events steadily is
// provisioned 20 times at once; each run gets 10 runEvents subscriptions, graphql-ws and
// graphql-sse alternating: 5 opened right after provisionService returned (before the run's
// first event) and 5 mid-run (when an early subscriber of that run has seen seq 10, 30, 50, …).
// Checked: every subscriber got seq 1..run.lastSeq exactly once, in order. Latency (callback →
// subscriber) = receive time − the event's `ts` (the callback plugin's clock, same machine), for
// live events only: those whose ts is not earlier than the subscription's opening.
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchPlaybooksDir, resultsDir } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, percentile } from './lib/stats.ts';
import { machineCpuMs, mainThreadSchedMs, processCpuMs, rssMiB, sampleRss, sampleThreadState } from './lib/cpu-memory.ts';
import { embeddedDataDir, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { createProduct, provision, runStatus, TERMINAL_STATUSES } from './lib/gql.ts';
import { summariseFile } from './lib/profiler.ts';
import { joinServerCpuGroup, spawnServer, waitReady } from './lib/server.ts';
import { check, subscribe, type Subscriber, type Transport } from './lib/subscribers.ts';

const P99_TARGET_MS = 50;
const RSS_TARGET_MIB = 500;

/**
 * Server responsiveness while loaded: GET /healthz (answered by Yoga without the database: event
 * loop and HTTP) and GET /readyz (a `SELECT 1` through Prisma: also the wait for the database),
 * one after the other, every 250 ms.
 */
function probeServer(graphqlUrl: string): { stop(): Promise<{ healthz: number[]; readyz: number[] }> } {
  const base = graphqlUrl.replace(/\/graphql$/, '');
  const healthz: number[] = [];
  const readyz: number[] = [];
  let running = true;
  const time = async (path: string, into: number[]): Promise<void> => {
    const started = performance.now();
    try {
      const response = await fetch(`${base}${path}`);
      await response.arrayBuffer();
      into.push(performance.now() - started);
    } catch {
      // counted as missing
    }
  };
  const loop = (async () => {
    while (running) {
      await time('/healthz', healthz);
      await time('/readyz', readyz);
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { healthz, readyz };
    },
  };
}

await runBench(async () => {
  const options = benchOptions();
  const runs = numberOption(options, 'runs', 20);
  const perRun = numberOption(options, 'subscribers', 10);
  const items = numberOption(options, 'items', 30);
  const pause = numberOption(options, 'pause', 0.05);
  const playbook = options.get('playbook') ?? 'event-stream.yml';
  const timeoutS = numberOption(options, 'timeout-s', 480);
  const midThresholds = Array.from({ length: perRun - Math.ceil(perRun / 2) }, (_, i) => 10 + 20 * i);
  const report = new Report('load');
  Object.assign(report.params, { runs, subscribersPerRun: perRun, playbook, items, pause, midRunThresholds: midThresholds, maxConcurrentRuns: runs, rssSampleMs: 200 });

  const dir = tempDir('load');
  // --ansible-nice=N: PROVISIO_ANSIBLE_NICE for the server (default: the server's own default,
  // 10): playbooks, their forks and their sessions' autogroups at that nice value. 0 shows what
  // the server's latency is when playbooks compete with it as equals.
  const ansibleNiceOption = options.get('ansible-nice');
  const ansibleNice = ansibleNiceOption === undefined ? 'default (19)' : Number(ansibleNiceOption);
  const cpuGroup = options.get('cpu-group');
  const extraEnv: Record<string, string> = {
    ...(ansibleNiceOption === undefined ? {} : { PROVISIO_ANSIBLE_NICE: String(Number(ansibleNiceOption)) }),
    ...(cpuGroup === undefined ? {} : { PROVISIO_ANSIBLE_CPU_GROUP: cpuGroup }),
  };
  // --server-nice=N (e.g. -10, as root): the server ahead of everything else on the machine.
  const serverNice = Number(options.get('server-nice') ?? 0);
  // --server-cpu-prof: the server runs under node --cpu-prof; the profile is summarised after it stopped.
  const profileDir = options.has('server-cpu-prof') ? path.join(dir, 'cpu-prof') : undefined;
  Object.assign(report.params, { ansibleNice, cpuGroup: cpuGroup ?? 'default (auto)', serverNice, serverCpuProfile: profileDir !== undefined });
  const server = await spawnServer({
    ...extraEnv,
    PROVISIO_DATA_DIR: embeddedDataDir(dir),
    PROVISIO_LAB_DIR: path.join(dir, 'lab'),
    PROVISIO_PLAYBOOKS_DIR: benchPlaybooksDir,
    PROVISIO_MAX_CONCURRENT_RUNS: String(runs),
    PROVISIO_SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
  }, { nice: serverNice, nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  await waitReady(server.url);
  const { url } = server;
  console.log(`server pid ${server.pid} at ${url}`);
  report.params.clientCpuGroup = (await joinServerCpuGroup(server.pid)) ?? 'none (the bench shares the server autogroup)';
  await createProduct(url, {
    slug: 'bench-stream',
    name: 'Bench: event stream',
    provisionPlaybook: playbook,
    deprovisionPlaybook: playbook,
    variableSchema: { type: 'object', properties: { bench_items: { type: 'integer' }, bench_pause: { type: 'number' } } },
    defaultVariables: { bench_items: items, bench_pause: pause },
  });
  await sleep(1_000);
  const baselineRss = rssMiB(server.pid) ?? Number.NaN;
  const rss = sampleRss(server.pid, 200);
  const serverCpu0 = processCpuMs(server.pid);
  const clientCpu0 = process.cpuUsage();
  const sched0 = mainThreadSchedMs(server.pid);
  const threadState = sampleThreadState(server.pid, 10);
  const machineCpu0 = machineCpuMs();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const probes = probeServer(url);

  const subscribers: Subscriber[] = [];
  const started = performance.now();
  const runIds = await Promise.all(
    Array.from({ length: runs }, async (_, run) => {
      const { runId } = await provision(url, { productSlug: 'bench-stream', customerRef: `load-${run}` });
      const early = Math.ceil(perRun / 2);
      const pendingMid = [...midThresholds];
      let midIndex = early;
      const openMid = (seq: number): void => {
        while (pendingMid.length && seq >= pendingMid[0]!) {
          pendingMid.shift();
          const index = midIndex++;
          subscribers.push(subscribe(url, (run + index) % 2 === 0 ? 'ws' : 'sse', runId, { run, index, early: false }, () => {}));
        }
      };
      for (let index = 0; index < early; index++) {
        // The first early subscriber of a run opens the mid-run ones as the run progresses.
        const subscriber = subscribe(url, (run + index) % 2 === 0 ? 'ws' : 'sse', runId, { run, index, early: true }, index === 0 ? openMid : () => {});
        subscribers.push(subscriber);
        // Thresholds the run never reached: those subscribers open after it finished (replay only).
        if (index === 0) void subscriber.done.then(() => openMid(Number.POSITIVE_INFINITY));
      }
      return runId;
    }),
  );
  const provisionedMs = performance.now() - started;

  // Wait for every subscriber (the list grows while mid-run ones open) without querying the
  // server: a subscription completes only after its run finished.
  const deadline = performance.now() + timeoutS * 1000;
  let settled = false;
  while (performance.now() < deadline) {
    const count = subscribers.length;
    await Promise.race([Promise.all(subscribers.map((s) => s.done)), sleep(1_000)]);
    if (subscribers.length === count && subscribers.every((s) => s.completed || s.error !== undefined)) {
      settled = true;
      break;
    }
  }
  const subscribersDoneMs = performance.now() - started;
  const memory = rss.stop();
  const probed = await probes.stop();
  const serverCpu1 = processCpuMs(server.pid);
  const clientCpu = process.cpuUsage(clientCpu0);
  const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
  const sched1 = mainThreadSchedMs(server.pid);
  const states = threadState.stop();
  const stateSamples = Object.values(states).reduce((a, b) => a + b, 0);
  const statePercent = (letter: string): number => (100 * (states[letter] ?? 0)) / stateSamples;
  const mainOnCpuMs = (sched1?.onCpu ?? Number.NaN) - (sched0?.onCpu ?? Number.NaN);
  const mainWaitingMs = (sched1?.waitingForCpu ?? Number.NaN) - (sched0?.waitingForCpu ?? Number.NaN);
  const machineCpu1 = machineCpuMs();
  const serverCpuMs = (serverCpu1?.own ?? Number.NaN) - (serverCpu0?.own ?? Number.NaN);
  const ansibleCpuMs = (serverCpu1?.children ?? Number.NaN) - (serverCpu0?.children ?? Number.NaN);
  const machineBusy = (machineCpu1.busy - machineCpu0.busy) / (machineCpu1.total - machineCpu0.total);
  loopDelay.disable();
  if (!settled) report.note('some subscriptions did not complete before the timeout');
  let statuses = await Promise.all(runIds.map((runId) => runStatus(url, runId)));
  while (!statuses.every((s) => TERMINAL_STATUSES.has(s.status))) {
    if (performance.now() > deadline) throw new Error(`runs not finished after ${timeoutS} s: ${statuses.map((s) => s.status).join(', ')}`);
    await sleep(1_000);
    statuses = await Promise.all(runIds.map((runId) => runStatus(url, runId)));
  }

  // Correctness.
  const lastSeqByRun = statuses.map((s) => s.lastSeq);
  const failures: string[] = [];
  for (const subscriber of subscribers) {
    const problem = check(subscriber, lastSeqByRun[subscriber.run]!);
    if (problem) failures.push(`run ${subscriber.run} subscriber ${subscriber.index} (${subscriber.transport}, ${subscriber.early ? 'early' : 'mid-run'}): ${problem}`);
  }
  const notSucceeded = statuses.filter((s) => s.status !== 'SUCCEEDED');

  // Latency of live events.
  const latencies: number[] = [];
  const pluginToRecorder: number[] = [];
  const recorderToClient: number[] = [];
  const byTransport: Record<Transport, number[]> = { ws: [], sse: [] };
  let replayed = 0;
  for (const subscriber of subscribers) {
    for (const event of subscriber.received) {
      if (!Number.isFinite(event.ts) || event.ts < subscriber.openedAt) {
        replayed++;
        continue;
      }
      const latency = event.at - event.ts;
      latencies.push(latency);
      byTransport[subscriber.transport].push(latency);
      pluginToRecorder.push(event.createdAt - event.ts);
      recorderToClient.push(event.at - event.createdAt);
    }
  }
  const earlyFromStart = subscribers.filter((s) => s.early && s.received[0] !== undefined && s.received[0].ts >= s.openedAt).length;
  const midRun = subscribers.filter((s) => !s.early);
  const midRunReallyMid = midRun.filter((s) => s.received.some((r) => r.ts < s.openedAt) && s.received.some((r) => r.ts >= s.openedAt)).length;
  const totalEvents = lastSeqByRun.reduce((a, b) => a + b, 0);
  const deliveries = subscribers.reduce((a, s) => a + s.received.length, 0);
  const runDurations = statuses.map((s) => (s.startedAt && s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : Number.NaN));

  const q = (values: number[]): string => `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 99))} / ${fmt(max(values))}`;
  console.log('');
  table(
    ['measure', 'value'],
    [
      ['runs (succeeded / total)', `${runs - notSucceeded.length} / ${runs}`],
      ['subscribers (ws / sse)', `${subscribers.length} (${subscribers.filter((s) => s.transport === 'ws').length} / ${subscribers.filter((s) => s.transport === 'sse').length})`],
      ['  early: opened before the run\'s first event', `${earlyFromStart} of ${subscribers.length - midRun.length}`],
      ['  mid-run: replay then live', `${midRunReallyMid} of ${midRun.length}`],
      ['events per run (min / max), total', `${Math.min(...lastSeqByRun)} / ${Math.max(...lastSeqByRun)}, ${fmt(totalEvents)}`],
      ['deliveries (live / replayed)', `${fmt(deliveries)} (${fmt(latencies.length)} / ${fmt(replayed)})`],
      ['subscribers failed: transport error or not completed / wrong events', `${fmt(failures.filter((f) => / (error|did not complete)/.test(f)).length)} / ${fmt(failures.filter((f) => !/ (error|did not complete)/.test(f)).length)}`],
      ['latency callback → subscriber p50 / p99 / max (ms)', q(latencies)],
      ['  over graphql-ws p50 / p99 / max (ms)', q(byTransport.ws)],
      ['  over graphql-sse p50 / p99 / max (ms)', q(byTransport.sse)],
      ['  plugin → recorder (createdAt) p50 / p99 / max (ms)', q(pluginToRecorder)],
      ['  recorder → subscriber p50 / p99 / max (ms)', q(recorderToClient)],
      ['server process CPU (s, share of one core over the wall time)', `${fmt(serverCpuMs / 1000)} (${fmt((100 * serverCpuMs) / subscribersDoneMs)} %)`],
      ['ansible-playbook processes CPU, reaped by the server (s)', fmt(ansibleCpuMs / 1000)],
      [
        'server main thread: on CPU / waiting for a CPU / sleeping or blocked (s)',
        `${fmt(mainOnCpuMs / 1000)} / ${fmt(mainWaitingMs / 1000)} / ${fmt((subscribersDoneMs - mainOnCpuMs - mainWaitingMs) / 1000)}`,
      ],
      [
        'server main thread state samples: R / S / D (%)',
        `${fmt(statePercent('R'))} / ${fmt(statePercent('S'))} / ${fmt(statePercent('D'))} (of ${fmt(stateSamples)})`,
      ],
      ['bench client process CPU (s; 200 subscribers, probes)', fmt(clientCpuMs / 1000)],
      ['machine CPU busy (all processes, all cores)', `${fmt(100 * machineBusy)} %`],
      ['server /healthz latency p50 / p99 / max (ms; event loop + HTTP)', q(probed.healthz)],
      ['server /readyz latency p50 / p99 / max (ms; + a SELECT 1 via Prisma)', q(probed.readyz)],
      ['server RSS baseline / peak / end (MiB)', `${fmt(baselineRss)} / ${fmt(memory.peak)} / ${fmt(memory.last)}`],
      ['run duration started → finished median / max (s)', `${fmt(percentile(runDurations, 50) / 1000)} / ${fmt(max(runDurations) / 1000)}`],
      ['wall: provision all / subscribers done (s)', `${fmt(provisionedMs / 1000)} / ${fmt(subscribersDoneMs / 1000)}`],
      ['bench client event-loop delay p99 / max (ms)', `${fmt(loopDelay.percentile(99) / 1e6)} / ${fmt(loopDelay.max / 1e6)}`],
    ],
  );
  for (const failure of failures.slice(0, 10)) console.log(`  ${failure}`);
  for (const run of notSucceeded) report.note(`run ${run.id} ended ${run.status}: ${run.statusReason}`);

  const exit = await server.stop();
  if (exit !== 'exit 0') report.note(`server stopped with ${exit}`);
  if (profileDir) {
    const [file] = fs.existsSync(profileDir) ? fs.readdirSync(profileDir) : [];
    if (file) {
      const target = path.join(resultsDir, 'load-server.cpuprofile');
      fs.mkdirSync(resultsDir, { recursive: true });
      fs.copyFileSync(path.join(profileDir, file), target);
      const summary = summariseFile(target, 20);
      report.metrics.serverCpuProfile = summary;
      console.log(`\nserver CPU profile (${path.relative(process.cwd(), target)}): ${fmt(summary.totalMs / 1000)} s busy on the main thread, ${fmt(summary.idleMs / 1000)} s idle`);
      console.log(`  by package: ${summary.byPackage.map((p) => `${p.name} ${p.percent}%`).join(', ')}`);
      for (const fn of summary.byFunction) console.log(`    ${fn.name} ${fn.percent}%`);
    } else report.note('no server CPU profile was written');
  }
  Object.assign(report.metrics, {
    runsSucceeded: runs - notSucceeded.length,
    subscribers: subscribers.length,
    earlySubscribersFromFirstEvent: earlyFromStart,
    midRunSubscribersReplayThenLive: midRunReallyMid,
    eventsPerRun: lastSeqByRun,
    totalEvents,
    deliveries,
    liveDeliveries: latencies.length,
    replayedDeliveries: replayed,
    failures,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: max(latencies) },
    latencyWsMs: { p50: percentile(byTransport.ws, 50), p99: percentile(byTransport.ws, 99), max: max(byTransport.ws) },
    latencySseMs: { p50: percentile(byTransport.sse, 50), p99: percentile(byTransport.sse, 99), max: max(byTransport.sse) },
    pluginToRecorderMs: { p50: percentile(pluginToRecorder, 50), p99: percentile(pluginToRecorder, 99), max: max(pluginToRecorder) },
    recorderToSubscriberMs: { p50: percentile(recorderToClient, 50), p99: percentile(recorderToClient, 99), max: max(recorderToClient) },
    serverCpuMs,
    ansibleCpuMs,
    clientCpuMs,
    serverMainThreadMs: { onCpu: mainOnCpuMs, waitingForCpu: mainWaitingMs, wall: subscribersDoneMs },
    serverMainThreadStates: states,
    healthzMs: { p50: percentile(probed.healthz, 50), p99: percentile(probed.healthz, 99), max: max(probed.healthz), samples: probed.healthz.length },
    readyzMs: { p50: percentile(probed.readyz, 50), p99: percentile(probed.readyz, 99), max: max(probed.readyz), samples: probed.readyz.length },
    machineBusyPercent: 100 * machineBusy,
    serverRssMiB: { baseline: baselineRss, peak: memory.peak, end: memory.last, samples: memory.samples },
    runDurationMs: { median: percentile(runDurations, 50), max: max(runDurations) },
    wallMs: { provisionAll: provisionedMs, subscribersDone: subscribersDoneMs },
    clientEventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    serverExit: exit,
  });
  report.target('every subscriber got every event once, in order (failures)', '<=', 0, failures.length + (settled ? 0 : 1), '');
  report.target('runs succeeded', '>=', runs, runs - notSucceeded.length, '');
  report.target('latency callback → subscriber p99 (live events)', '<=', P99_TARGET_MS, percentile(latencies, 99), 'ms');
  report.target('server RSS peak (sampled every 200 ms)', '<=', RSS_TARGET_MIB, memory.peak, 'MiB');
  report.write();
});
