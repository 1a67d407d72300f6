// ansible: wall time of the same 50-task playbook through Provisio and as bare ansible-playbook.
//
// Provisio runs in-process (buildApp) on a temp embedded database with bench/playbooks as its
// playbooks directory; each measured run is provisionService → terminal status, seen through the
// runUpdated subscription (graphql-ws) or, with --wait=poll, by polling run(id) every 20 ms.
// Bare: `ansible-playbook -i localhost, -c local …` with execa. The two alternate (ABBA order)
// after one unmeasured warm-up each. CPU time of ansible-playbook and its forks is read from
// /proc/self/stat (cutime/cstime: they are this process's children), less noisy than wall time.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { pino } from 'pino';
import { buildApp } from '../src/boot/app.ts';
import { loadConfig } from '../src/config.ts';
import { benchPlaybooksDir, resultsDir } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, median, min } from './lib/stats.ts';
import { processCpuMs } from './lib/cpu-memory.ts';
import { embeddedDataDir, onCleanup, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { cpuProfile } from './lib/profiler.ts';
import { createClient as createWsClient } from 'graphql-ws';
import { waitTerminalBySubscription } from './lib/subscribers.ts';
import { BENCH_ADMIN_KEY, benchAuthorization, createProduct, gql, provision, waitTerminal } from './lib/gql.ts';

const RATIO_TARGET = 1.03;
const PLAYBOOK = 'fifty-tasks.yml';

/** CPU time (user + system, ms) of this process's terminated, waited-for children (ansible-playbook and its forks). */
const childrenCpuMs = (): number => processCpuMs('self')?.children ?? Number.NaN;

const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

interface ProvisioSample {
  totalMs: number;
  /** CPU of ansible-playbook and its forks (they are this process's children). */
  ansibleCpuMs: number;
  /** CPU of this Node process meanwhile: Provisio (in-process) plus the bench's client (subscription or polling). */
  nodeCpuMs: number;
  status: string;
  lastSeq: number;
  /** From server timestamps and event times (epoch ms); see breakdown(). */
  breakdown: Breakdown;
}

interface Breakdown {
  /** mutation sent → run startedAt (mutation, queue, claim). */
  toStartMs: number;
  /** startedAt → playbook_start event ts (variables, temp dir, ansible-playbook start-up). */
  ansibleStartMs: number;
  /** playbook_start → stats event ts (the playbook itself). */
  playbookMs: number;
  /** stats → run finishedAt (process exit, last events persisted, outcome applied). */
  finishMs: number;
  /** finishedAt → terminal status seen by the client (subscription or poll). */
  observedMs: number;
}

const RUN_EVENT_TIMES = /* GraphQL */ `
  query BenchRunEventTimes($id: ID!) {
    run(id: $id) {
      startedAt
      finishedAt
      first: events(first: 1) { nodes { seq type data } }
      last: events(last: 3) { nodes { seq type data } }
    }
  }
`;

interface EventNode {
  seq: number;
  type: string;
  data: { ts?: string } | null;
}

async function breakdown(url: string, runId: string, sentAtEpoch: number, seenAtEpoch: number): Promise<Breakdown> {
  const { run } = await gql<{ run: { startedAt: string; finishedAt: string; first: { nodes: EventNode[] }; last: { nodes: EventNode[] } } }>(url, RUN_EVENT_TIMES, { id: runId });
  const ts = (node: EventNode | undefined): number => (node?.data?.ts ? Date.parse(node.data.ts) : Number.NaN);
  const started = Date.parse(run.startedAt);
  const finished = Date.parse(run.finishedAt);
  const playbookStart = ts(run.first.nodes.find((n) => n.type === 'playbook_start'));
  const stats = ts(run.last.nodes.find((n) => n.type === 'stats'));
  return {
    toStartMs: started - sentAtEpoch,
    ansibleStartMs: playbookStart - started,
    playbookMs: stats - playbookStart,
    finishMs: finished - stats,
    observedMs: seenAtEpoch - finished,
  };
}

await runBench(async () => {
  const options = benchOptions();
  const iterations = numberOption(options, 'n', 5);
  const budgetS = numberOption(options, 'budget-s', 180);
  const pollMs = numberOption(options, 'poll-ms', 20);
  const wait = options.get('wait') === 'poll' ? 'poll' : 'subscription';
  // --ansible-nice=N: Provisio's PROVISIO_ANSIBLE_NICE (bare ansible-playbook always runs at the bench's own priority).
  const ansibleNice = options.get('ansible-nice');
  // --cpu-group=off: Provisio's PROVISIO_ANSIBLE_CPU_GROUP (its CPU groups, see src/runner/cpu-group.ts).
  const cpuGroup = options.get('cpu-group');
  // --commit-window-ms=N: Provisio's PROVISIO_EVENT_COMMIT_WINDOW_MS (how long an event waits to share a commit).
  const commitWindowMs = options.get('commit-window-ms');
  const report = new Report('ansible');
  Object.assign(report.params, { iterations, budgetS, wait, ansibleNice: ansibleNice ?? 'default (19)', cpuGroup: cpuGroup ?? 'default (auto)', commitWindowMs: commitWindowMs ?? 'default', pollMs: wait === 'poll' ? pollMs : undefined, playbook: `bench/playbooks/${PLAYBOOK}` });

  const dir = tempDir('ansible');
  const labDir = path.join(dir, 'lab');
  const config = loadConfig(
    { LOG_LEVEL: 'silent', PROVISIO_ADMIN_KEY: BENCH_ADMIN_KEY, ...(ansibleNice === undefined ? {} : { PROVISIO_ANSIBLE_NICE: ansibleNice }), ...(cpuGroup === undefined ? {} : { PROVISIO_ANSIBLE_CPU_GROUP: cpuGroup }), ...(commitWindowMs === undefined ? {} : { PROVISIO_EVENT_COMMIT_WINDOW_MS: commitWindowMs }) },
    { port: 0, host: '127.0.0.1', dataDir: embeddedDataDir(dir), playbooksDir: benchPlaybooksDir, labDir, seedDemoData: false, maxConcurrentRuns: 1 },
  );
  const app = buildApp(config, { logger: pino({ level: 'silent' }) });
  onCleanup(() => app.stop());
  const startedAt = performance.now();
  const { url } = await app.start();
  console.log(`Provisio in-process at ${url} (embedded, fresh data dir: ${fmt(performance.now() - startedAt)} ms)`);
  // An explicit (empty) variable schema: older versions refused a product without one.
  await createProduct(url, {
    slug: 'bench-fifty',
    name: 'Bench: fifty tasks',
    provisionPlaybook: PLAYBOOK,
    deprovisionPlaybook: PLAYBOOK,
    variableSchema: { type: 'object', properties: {} },
  });

  // One graphql-ws connection for every run's runUpdated subscription.
  const wsClient = wait === 'subscription' ? createWsClient({ url: url.replace(/^http/, 'ws'), lazy: false, retryAttempts: 0, connectionParams: benchAuthorization }) : undefined;
  if (wsClient) onCleanup(() => wsClient.dispose());

  let serial = 0;
  const viaProvisio = async (): Promise<ProvisioSample> => {
    serial++;
    const cpu0 = childrenCpuMs();
    const node0 = ownCpuMs();
    const sentAtEpoch = Date.now();
    const t0 = performance.now();
    const { runId } = await provision(url, { productSlug: 'bench-fifty', customerRef: `bench-${serial}` });
    const { run, at } = wsClient ? await waitTerminalBySubscription(wsClient, url, runId) : await waitTerminal(url, runId, { intervalMs: pollMs });
    const totalMs = at - t0;
    const ansibleCpuMs = childrenCpuMs() - cpu0;
    const nodeCpuMs = ownCpuMs() - node0;
    const seenAtEpoch = sentAtEpoch + totalMs;
    if (run.status !== 'SUCCEEDED') throw new Error(`Provisio run ${runId} ended ${run.status}: ${run.statusReason}`);
    return { totalMs, ansibleCpuMs, nodeCpuMs, status: run.status, lastSeq: run.lastSeq, breakdown: await breakdown(url, runId, sentAtEpoch, seenAtEpoch) };
  };
  const bare = async (): Promise<{ ms: number; cpuMs: number }> => {
    serial++;
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const result = await execa(
      'ansible-playbook',
      ['-i', 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3', '-e', `bench_run_id=bare-${serial}`, path.join(benchPlaybooksDir, PLAYBOOK)],
      { env: { PROVISIO_LAB_DIR: labDir }, reject: false, stdin: 'ignore' },
    );
    const ms = performance.now() - t0;
    const cpuMs = childrenCpuMs() - cpu0;
    if (result.exitCode !== 0) throw new Error(`bare ansible-playbook exited ${result.exitCode}:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
    return { ms, cpuMs };
  };

  console.log('warm-up (not measured): one run each');
  const warmProvisio = await viaProvisio();
  const warmBare = await bare();
  console.log(`  Provisio ${fmt(warmProvisio.totalMs)} ms (${warmProvisio.lastSeq} events), bare ${fmt(warmBare.ms)} ms`);

  const provisio: ProvisioSample[] = [];
  const bareRuns: Array<{ ms: number; cpuMs: number }> = [];
  const loopStarted = performance.now();
  let previousElapsedS = 0;
  let slowestPairS = 0;
  for (let i = 0; i < iterations; i++) {
    // ABBA: alternate which goes first, so a drift in machine load hits both alike.
    if (i % 2 === 0) {
      provisio.push(await viaProvisio());
      bareRuns.push(await bare());
    } else {
      bareRuns.push(await bare());
      provisio.push(await viaProvisio());
    }
    const [p, b] = [provisio.at(-1)!, bareRuns.at(-1)!];
    console.log(
      `pair ${i + 1}/${iterations}: Provisio ${fmt(p.totalMs)} ms (ansible CPU ${fmt(p.ansibleCpuMs)} ms, node CPU ${fmt(p.nodeCpuMs)} ms), ` +
        `bare ${fmt(b.ms)} ms (CPU ${fmt(b.cpuMs)} ms)`,
    );
    // Stop when the next pair (assumed as long as the slowest so far) would overrun the budget.
    const elapsedS = (performance.now() - loopStarted) / 1000;
    slowestPairS = Math.max(slowestPairS, elapsedS - previousElapsedS);
    previousElapsedS = elapsedS;
    if (elapsedS + slowestPairS > budgetS && i + 1 < iterations) {
      report.note(`time budget of ${budgetS} s: stopped after ${i + 1} of ${iterations} pairs (machine busy?); medians are over ${i + 1} pairs`);
      break;
    }
  }

  const provisioMs = provisio.map((s) => s.totalMs);
  const bareMs = bareRuns.map((b) => b.ms);
  const provisioCpu = provisio.map((s) => s.ansibleCpuMs);
  const nodeCpu = provisio.map((s) => s.nodeCpuMs);
  const bareCpu = bareRuns.map((b) => b.cpuMs);
  const cpuRatio = median(provisioCpu) / median(bareCpu);
  const ratio = median(provisioMs) / median(bareMs);
  // Each pair ran back to back: its ratio cancels the machine's drift between pairs.
  const pairRatios = provisioMs.map((ms, index) => ms / bareMs[index]!);
  const part = (key: keyof Breakdown): number => median(provisio.map((s) => s.breakdown[key]));
  console.log('');
  table(
    ['measure', 'median', 'min', 'max'],
    [
      ['Provisio: provisionService → terminal (ms)', fmt(median(provisioMs)), fmt(min(provisioMs)), fmt(max(provisioMs))],
      ['  mutation + queue + claim (ms)', fmt(part('toStartMs')), '', ''],
      ['  ansible-playbook start-up, to playbook_start (ms)', fmt(part('ansibleStartMs')), '', ''],
      ['  playbook_start → stats (ms)', fmt(part('playbookMs')), '', ''],
      ['  stats → run finished (ms)', fmt(part('finishMs')), '', ''],
      [`  finished → seen by the ${wait === 'poll' ? `${pollMs} ms poll` : 'runUpdated subscription'} (ms)`, fmt(part('observedMs')), '', ''],
      ['bare ansible-playbook (ms)', fmt(median(bareMs)), fmt(min(bareMs)), fmt(max(bareMs))],
      ['ratio of medians Provisio / bare', fmt(ratio), '', ''],
      ['ratio of minimums Provisio / bare (best case of each)', fmt(min(provisioMs) / min(bareMs)), '', ''],
      ['ratio per pair Provisio / bare (back to back)', fmt(median(pairRatios)), fmt(min(pairRatios)), fmt(max(pairRatios))],
      ['difference of medians (ms)', fmt(median(provisioMs) - median(bareMs)), '', ''],
      ['CPU of ansible-playbook + forks, Provisio (ms)', fmt(median(provisioCpu)), fmt(min(provisioCpu)), fmt(max(provisioCpu))],
      ['CPU of ansible-playbook + forks, bare (ms)', fmt(median(bareCpu)), fmt(min(bareCpu)), fmt(max(bareCpu))],
      ['ansible CPU ratio Provisio / bare (less load-sensitive)', fmt(cpuRatio), '', ''],
      [`CPU of the Node process per Provisio run (ms, incl. the bench's ${wait === 'poll' ? 'polling' : 'subscription'})`, fmt(median(nodeCpu)), fmt(min(nodeCpu)), fmt(max(nodeCpu))],
    ],
  );
  Object.assign(report.metrics, {
    pairs: provisio.length,
    eventsPerRun: provisio[0]?.lastSeq,
    provisioMs: { median: median(provisioMs), min: min(provisioMs), max: max(provisioMs), samples: provisioMs },
    bareMs: { median: median(bareMs), min: min(bareMs), max: max(bareMs), samples: bareMs },
    ratio,
    ratioOfMinimums: min(provisioMs) / min(bareMs),
    pairRatios: { median: median(pairRatios), samples: pairRatios },
    ansibleCpuMs: { provisioMedian: median(provisioCpu), bareMedian: median(bareCpu), ratio: cpuRatio, provisio: provisioCpu, bare: bareCpu },
    nodeCpuMsPerProvisioRun: { median: median(nodeCpu), samples: nodeCpu },
    provisioBreakdownMedianMs: {
      toStart: part('toStartMs'),
      ansibleStart: part('ansibleStartMs'),
      playbook: part('playbookMs'),
      finish: part('finishMs'),
      observed: part('observedMs'),
    },
    provisioSamples: provisio,
  });
  if (options.has('profile')) {
    // One more (unmeasured) Provisio run under the V8 profiler: where the Node side's CPU goes.
    const file = path.join(resultsDir, 'ansible-node.cpuprofile');
    fs.mkdirSync(resultsDir, { recursive: true });
    const { result, summary } = await cpuProfile(file, viaProvisio);
    report.metrics.nodeCpuProfile = { run: { totalMs: result.totalMs, nodeCpuMs: result.nodeCpuMs }, ...summary };
    console.log(`\nNode CPU profile of one Provisio run (${path.relative(process.cwd(), file)}): ${fmt(summary.totalMs)} ms sampled busy, ${fmt(summary.idleMs)} ms idle`);
    console.log(`  by package: ${summary.byPackage.map((p) => `${p.name} ${p.percent}%`).join(', ')}`);
    for (const fn of summary.byFunction) console.log(`    ${fn.name} ${fn.percent}%`);
  }
  report.target('Provisio / bare ansible-playbook (medians)', '<=', RATIO_TARGET, ratio, '×');
  report.target('ansible CPU Provisio / bare (medians)', '<=', RATIO_TARGET, cpuRatio, '×');
  report.note('Provisio runs ansible-playbook with its callback plugin, a hermetic environment and a private ANSIBLE_HOME per run; bare uses the defaults');
  report.write();
});
