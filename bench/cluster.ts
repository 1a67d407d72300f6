// cluster: the same event-streaming workload on the embedded profile (one process) and on the
// cluster profile (2 API instances + 2 workers on PostgreSQL, pg-boss and Redis), one after the
// other in the same run: events/s and callback → subscriber delivery latency, and their ratios.
//
// Each profile gets `--runs` (6) runs of bench/playbooks/event-stream.yml started at once, each
// watched by two graphql-ws subscribers opened right after provisionService (on the cluster, one
// on each API instance: the run executes on a worker, so every event crosses Redis). Checked:
// every subscriber got seq 1..lastSeq once, in order. Latency counts live events only (ts not
// earlier than the subscription's opening). Needs PostgreSQL (--database-url, default the
// local server) and Redis (--redis-url).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchPlaybooksDir, repoRoot } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { percentile, round } from './lib/stats.ts';
import { embeddedDataDir, onCleanup, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { BENCH_ADMIN_KEY, createProduct, provision, runStatus } from './lib/gql.ts';
import { spawnServer, waitReady } from './lib/server.ts';
import { check, subscribe, type Subscriber } from './lib/subscribers.ts';

interface ProfileResult {
  profile: string;
  events: number;
  wallMs: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  problems: string[];
}

/** `node src/worker.ts` as `npm run worker` runs it; resolves once it takes runs. */
async function spawnWorker(env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'src/worker.ts')], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => (exited = true));
  onCleanup(async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Provisio worker running')) resolve();
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    void exit.then(() => reject(new Error(`worker exited before running:\n${output}`)));
  });
}

async function workload(profile: string, urls: string[], runs: number, items: number, pause: number): Promise<ProfileResult> {
  const [first] = urls as [string];
  await createProduct(first, {
    slug: 'bench-stream',
    name: 'Bench: event stream',
    provisionPlaybook: 'event-stream.yml',
    deprovisionPlaybook: 'event-stream.yml',
    variableSchema: { type: 'object', properties: { bench_items: { type: 'integer' }, bench_pause: { type: 'number' } } },
    defaultVariables: { bench_items: items, bench_pause: pause },
  });
  await sleep(500);
  const started = performance.now();
  const watched = await Promise.all(
    Array.from({ length: runs }, async (_, run) => {
      const { runId } = await provision(urls[run % urls.length]!, { productSlug: 'bench-stream', customerRef: `${profile}-${run}` });
      const subscribers: Subscriber[] = urls.length > 1 ? urls.map((url, index) => subscribe(url, 'ws', runId, { run, index, early: true }, () => {})) : [0, 1].map((index) => subscribe(first, 'ws', runId, { run, index, early: true }, () => {}));
      return { runId, subscribers };
    }),
  );
  await Promise.all(watched.flatMap(({ subscribers }) => subscribers.map((subscriber) => subscriber.done)));
  const wallMs = performance.now() - started;
  const problems: string[] = [];
  let events = 0;
  const latencies: number[] = [];
  for (const { runId, subscribers } of watched) {
    const run = await runStatus(first, runId);
    events += run.lastSeq;
    if (run.status !== 'SUCCEEDED') problems.push(`run ${runId} ${run.status}`);
    for (const subscriber of subscribers) {
      const problem = check(subscriber, run.lastSeq);
      if (problem) problems.push(`run ${subscriber.run} subscriber ${subscriber.index}: ${problem}`);
      for (const received of subscriber.received) if (received.ts >= subscriber.openedAt) latencies.push(received.at - received.ts);
    }
  }
  return {
    profile,
    events,
    wallMs: round(wallMs, 0),
    eventsPerSecond: round((events * 1000) / wallMs, 1),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    maxMs: round(Math.max(...latencies), 1),
    problems,
  };
}

await runBench(async () => {
  const options = benchOptions();
  const runs = numberOption(options, 'runs', 6);
  const items = numberOption(options, 'items', 30);
  const pause = numberOption(options, 'pause', 0.05);
  const serverUrl = options.get('database-url') ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = options.get('redis-url') ?? 'redis://127.0.0.1:6379';
  const report = new Report('cluster');
  Object.assign(report.params, { runs, items, pause, subscribersPerRun: 2, clusterProcesses: '2 API + 2 workers' });
  const dir = tempDir('cluster');
  const common = { PROVISIO_PLAYBOOKS_DIR: benchPlaybooksDir, PROVISIO_LAB_DIR: path.join(dir, 'lab'), PROVISIO_SEED_DEMO: 'false', LOG_LEVEL: 'warn' };

  const embedded = await spawnServer({ ...common, PROVISIO_DATA_DIR: embeddedDataDir(path.join(dir, 'embedded')), PROVISIO_MAX_CONCURRENT_RUNS: String(runs), LOG_LEVEL: 'info' });
  await waitReady(embedded.url);
  const embeddedResult = await workload('embedded', [embedded.url], runs, items, pause);
  await embedded.stop();

  const name = `provisio_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  onCleanup(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const clusterEnv = { ...common, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PROVISIO_SECRET_KEY: randomBytes(32).toString('base64'), PROVISIO_ADMIN_KEY: BENCH_ADMIN_KEY };
  const apis = [];
  for (const index of [1, 2]) {
    const api = await spawnServer({ ...clusterEnv, PROVISIO_DATA_DIR: path.join(dir, `api-${index}`), LOG_LEVEL: 'info' });
    await waitReady(api.url);
    apis.push(api);
  }
  for (const index of [1, 2]) await spawnWorker({ ...clusterEnv, PROVISIO_DATA_DIR: path.join(dir, `worker-${index}`), PROVISIO_MAX_CONCURRENT_RUNS: String(Math.ceil(runs / 2)), LOG_LEVEL: 'info' });
  const clusterResult = await workload('cluster', apis.map((api) => api.url), runs, items, pause);

  table(
    ['profile', 'events', 'wall ms', 'events/s', 'p50 ms', 'p99 ms', 'max ms', 'problems'],
    [embeddedResult, clusterResult].map((r) => [r.profile, String(r.events), fmt(r.wallMs), fmt(r.eventsPerSecond), fmt(r.p50Ms), fmt(r.p99Ms), fmt(r.maxMs), String(r.problems.length)]),
  );
  const ratio = { eventsPerSecond: round(clusterResult.eventsPerSecond / embeddedResult.eventsPerSecond, 2), p99: round(clusterResult.p99Ms / embeddedResult.p99Ms, 2) };
  console.log(`cluster / embedded: events/s × ${ratio.eventsPerSecond}, delivery p99 × ${ratio.p99}`);
  Object.assign(report.metrics, { embedded: embeddedResult, cluster: clusterResult, ratio });
  for (const problem of [...embeddedResult.problems, ...clusterResult.problems]) report.note(problem);
  report.target('every subscriber got every event once, in order (both profiles)', '<=', 0, embeddedResult.problems.length + clusterResult.problems.length, 'problems');
  report.write();
});
