// busy: a run's wall time beside other sessions' busy loops ÷ the same run on a quiet host.
//
// The server runs as `npm start` runs it (a child of this process, in its session). A busy loop is
// a `node` spinning at nice 0 in a session of its own (setsid), one per core: other work on the
// host, as a database, another service or a CI job would be. For a short (4-task) and a 50-task
// product, quiet and busy runs alternate (ABBA) after an unmeasured warm-up; the target is the
// ratio of the medians. A run's end is seen through runUpdated (graphql-ws), as in the ansible
// bench: polling would add server CPU that is not the run's. Meanwhile GET /healthz is sampled
// (--health-ms): the API must still answer first.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchPlaybooksDir } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, median, percentile } from './lib/stats.ts';
import { embeddedDataDir, onCleanup, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { createClient as createWsClient } from 'graphql-ws';
import { benchAuthorization, createProduct, provision } from './lib/gql.ts';
import { waitTerminalBySubscription } from './lib/subscribers.ts';
import { spawnServer, waitReady } from './lib/server.ts';

const RATIO_TARGET = 2;
const PRODUCTS = [
  { slug: 'bench-four', name: 'Bench: four tasks', playbook: 'four-tasks.yml' },
  { slug: 'bench-fifty', name: 'Bench: fifty tasks', playbook: 'fifty-tasks.yml' },
] as const;

/** One CPU-bound process per core, each in a session (an autogroup) of its own, at nice 0. */
function startBusyLoops(count: number): () => Promise<void> {
  const loops: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    loops.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { detached: true, stdio: 'ignore' }));
  }
  const stop = async (): Promise<void> => {
    await Promise.all(
      loops.map(
        (loop) =>
          new Promise<void>((resolve) => {
            if (loop.exitCode !== null || loop.signalCode !== null) return resolve();
            loop.once('exit', () => resolve());
            loop.kill('SIGKILL');
          }),
      ),
    );
  };
  onCleanup(stop);
  return stop;
}

/** GET /healthz every `intervalMs` until stopped: the latencies in ms. */
function sampleHealth(graphqlUrl: string, intervalMs: number): { stop(): Promise<number[]> } {
  const url = graphqlUrl.replace(/\/graphql$/, '/healthz');
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      latencies.push(performance.now() - t0);
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

await runBench(async () => {
  const options = benchOptions();
  const pairs = numberOption(options, 'n', 5);
  const loops = numberOption(options, 'loops', os.availableParallelism());
  const healthMs = numberOption(options, 'health-ms', 100);
  const ansibleNice = options.get('ansible-nice');
  const cpuGroup = options.get('cpu-group');
  const report = new Report('busy');
  Object.assign(report.params, { pairs, busyLoops: loops, healthMs, ansibleNice: ansibleNice ?? 'default (19)', cpuGroup: cpuGroup ?? 'default (auto)', products: PRODUCTS.map((p) => `bench/playbooks/${p.playbook}`) });

  const dir = tempDir('busy');
  const server = await spawnServer({
    PROVISIO_DATA_DIR: embeddedDataDir(dir),
    PROVISIO_PLAYBOOKS_DIR: benchPlaybooksDir,
    PROVISIO_LAB_DIR: path.join(dir, 'lab'),
    PROVISIO_SEED_DEMO: 'false',
    ...(ansibleNice === undefined ? {} : { PROVISIO_ANSIBLE_NICE: ansibleNice }),
    ...(cpuGroup === undefined ? {} : { PROVISIO_ANSIBLE_CPU_GROUP: cpuGroup }),
  });
  await waitReady(server.url);
  for (const product of PRODUCTS) {
    await createProduct(server.url, { slug: product.slug, name: product.name, provisionPlaybook: product.playbook, deprovisionPlaybook: product.playbook, variableSchema: { type: 'object', properties: {} } });
  }

  const wsClient = createWsClient({ url: server.url.replace(/^http/, 'ws'), lazy: false, retryAttempts: 0, connectionParams: benchAuthorization });
  onCleanup(() => wsClient.dispose());

  let serial = 0;
  const runOnce = async (slug: string): Promise<number> => {
    serial++;
    const t0 = performance.now();
    const { runId } = await provision(server.url, { productSlug: slug, customerRef: `busy-${serial}` });
    const { run, at } = await waitTerminalBySubscription(wsClient, server.url, runId);
    if (run.status !== 'SUCCEEDED') throw new Error(`run ${runId} ended ${run.status}: ${run.statusReason}`);
    return at - t0;
  };
  const busyRun = async (slug: string, health: number[]): Promise<number> => {
    const stopLoops = startBusyLoops(loops);
    try {
      await sleep(500); // let the loops take the cores
      const sampler = sampleHealth(server.url, healthMs);
      const ms = await runOnce(slug);
      health.push(...(await sampler.stop()));
      return ms;
    } finally {
      await stopLoops();
    }
  };

  const rows: string[][] = [];
  const health: number[] = [];
  for (const product of PRODUCTS) {
    console.log(`${product.slug}: warm-up (not measured)`);
    await runOnce(product.slug);
    const quiet: number[] = [];
    const busy: number[] = [];
    for (let i = 0; i < pairs; i++) {
      // ABBA: alternate which goes first, so a drift in the host's load hits both alike.
      if (i % 2 === 0) {
        quiet.push(await runOnce(product.slug));
        busy.push(await busyRun(product.slug, health));
      } else {
        busy.push(await busyRun(product.slug, health));
        quiet.push(await runOnce(product.slug));
      }
      console.log(`  pair ${i + 1}/${pairs}: quiet ${fmt(quiet.at(-1)!)} ms, beside ${loops} busy loops ${fmt(busy.at(-1)!)} ms`);
    }
    const ratio = median(busy) / median(quiet);
    rows.push([product.slug, fmt(median(quiet)), fmt(median(busy)), fmt(max(busy)), fmt(ratio)]);
    report.metrics[product.slug] = { quietMs: quiet, busyMs: busy, ratioOfMedians: ratio };
    report.target(`${product.slug}: run wall beside busy loops ÷ quiet (medians)`, '<=', RATIO_TARGET, ratio, '×');
  }
  console.log('');
  table(['product', 'quiet median (ms)', 'busy median (ms)', 'busy max (ms)', 'busy ÷ quiet'], rows);
  const healthP99 = percentile(health, 99);
  console.log(`GET /healthz during busy runs: p50 ${fmt(percentile(health, 50))} ms, p99 ${fmt(healthP99)} ms (${health.length} requests)`);
  report.metrics.healthzDuringBusyMs = { p50: percentile(health, 50), p99: healthP99, max: max(health), samples: health.length };
  report.note(`busy loops: ${loops} × node spinning at nice 0, each in a session of its own; the server and its playbooks share this bench's session`);
  report.write();
});
