// limits: a small query's latency while the most expensive allowed query runs, and how fast
// over-limit queries are refused.
//
// The embedded server with the demo products and --items phone numbers. Phases, one after the other:
//   idle     the small query alone (sequential)
//   biggest  the small query while --clients clients loop the most expensive query the limits allow
//   attack   the small query while --clients clients loop the refused ones (54 levels deep, 10,000 aliases)
//   distinct the small query while --clients clients send documents that differ each time (830
//            aliases: parsed, then refused), which the parse cache would keep
// Options: --items=5000 --clients=4 --samples=300
//          --database-url=postgres://user@host/db: the PostgreSQL profile instead (a scratch database
//          is created on that server and dropped after)
//          --node-flags="--max-semi-space-size=16": extra Node flags for the server
import path from 'node:path';
import { OPERATION_LIMITS } from '../src/server/limits.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, median, percentile, round } from './lib/stats.ts';
import { processCpuMs, sampleRss } from './lib/cpu-memory.ts';
import { embeddedDataDir, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { benchAuthorization, gql } from './lib/gql.ts';
import { scratchDatabase } from './lib/scratch-database.ts';
import { spawnServer, waitReady } from './lib/server.ts';

const SMALL = `{ product(slug: "voip-line") { id name } }`;

/** Under every limit, as close to the cost limit as page sizes allow: 9 pages of 100 items with their service. */
const BIGGEST = `{ ${Array.from(
  { length: 9 },
  (_, i) => `p${i}: inventoryItems(first: 100, filter: { kind: PHONE_NUMBER }) { nodes { id kind identifier attributes status statusReason createdAt service { id customerRef } } }`,
).join(' ')} }`;

/** The two reported attacks: services and runs nested 54 levels deep, and 10,000 aliases. */
function deepQuery(): string {
  let selection = 'id';
  for (let pair = 0; pair < 17; pair++) selection = `service { runs { nodes { ${selection} } } }`;
  return `{ runs { nodes { ${selection} } } }`;
}
const ALIASES = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: products { totalCount }`).join(' ')} }`;

/** Under the token and length limits, so parsed (a large tree), then refused for its aliases; `n` makes it new. */
let distinctDocuments = 0;
const distinctQuery = () => {
  const n = distinctDocuments++;
  return `{ ${Array.from({ length: 830 }, (_, i) => `a${i}_${n}: products { totalCount }`).join(' ')} }`;
};

async function timed(url: string, query: string): Promise<{ ms: number; status: number; ok: boolean }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...benchAuthorization },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  return { ms: performance.now() - started, status: response.status, ok: !body.errors };
}

/** `clients` loops of `query` until stop(); returns each request's time. */
function loop(url: string, query: string | (() => string), clients: number) {
  let running = true;
  const samples: Array<{ ms: number; status: number; ok: boolean }> = [];
  const loops = Array.from({ length: clients }, async () => {
    while (running) samples.push(await timed(url, typeof query === 'string' ? query : query()));
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}

async function smallQuery(url: string, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const sample = await timed(url, SMALL);
    if (!sample.ok) throw new Error(`the small query failed (HTTP ${sample.status})`);
    times.push(sample.ms);
  }
  return times;
}

/** The demo product the small query reads (seeded only on a fresh embedded database). */
const VOIP = { slug: 'voip-line', name: 'VoIP line', provisionPlaybook: 'voip-line/provision.yml', deprovisionPlaybook: 'voip-line/deprovision.yml' };

/** The small query timed while `loads` run (started just before), with the server's RSS and CPU over the phase. */
async function measurePhase(pid: number, url: string, samples: number, loads: Array<ReturnType<typeof loop>>) {
  const cpuAt = () => processCpuMs(pid)?.own ?? 0;
  const cpuBefore = cpuAt();
  const rss = sampleRss(pid, 200);
  if (loads.length) await new Promise((resolve) => setTimeout(resolve, 500));
  const small = await smallQuery(url, samples);
  const loadSamples = await Promise.all(loads.map((load) => load.stop()));
  return { small, loads: loadSamples, memory: rss.stop(), cpuMs: cpuAt() - cpuBefore };
}

const summary = (times: number[]) => ({ n: times.length, p50: round(median(times), 2), p99: round(percentile(times, 99), 2), max: round(max(times), 2) });

await runBench(async () => {
  const options = benchOptions();
  const items = numberOption(options, 'items', 5_000);
  const clients = numberOption(options, 'clients', 4);
  const samples = numberOption(options, 'samples', 300);
  const postgres = options.get('database-url');
  const nodeFlags = options.get('node-flags')?.split(/\s+/).filter(Boolean) ?? [];
  const report = new Report(postgres ? 'limits-postgres' : 'limits');
  Object.assign(report.params, { items, clients, samples, nodeFlags, limits: OPERATION_LIMITS, biggestQueryBytes: BIGGEST.length, deepQueryBytes: deepQuery().length, aliasesQueryBytes: ALIASES.length, distinctQueryBytes: distinctQuery().length });

  const dir = tempDir('limits');
  const databaseUrl = postgres ? await scratchDatabase(postgres) : undefined;
  report.params['profile'] = databaseUrl ? 'postgres' : 'embedded';
  const server = await spawnServer({
    PROVISIO_DATA_DIR: embeddedDataDir(dir),
    PROVISIO_LAB_DIR: path.join(dir, 'lab'),
    PROVISIO_SEED_DEMO: 'true',
    LOG_LEVEL: 'info',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  }, { nodeArgs: nodeFlags });
  await waitReady(server.url);
  const { url } = server;
  if (databaseUrl) await gql(url, `mutation($input: CreateProductInput!) { createProduct(input: $input) { __typename } }`, { input: VOIP });
  for (let added = 0; added < items; added += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, items - added) }, (_, i) => ({ kind: 'PHONE_NUMBER', identifier: `+4478${String(added + i).padStart(8, '0')}` }));
    await gql(url, `mutation($items: [NewInventoryItemInput!]!) { addInventoryItems(items: $items) { __typename } }`, { items: batch });
  }
  const biggestCheck = await timed(url, BIGGEST);
  if (!biggestCheck.ok) throw new Error('the biggest query was refused: it must stay within the limits');
  for (const [name, query] of [['deep', deepQuery()], ['aliases', ALIASES], ['distinct', distinctQuery()]] as const) {
    const refused = await timed(url, query);
    if (refused.ok || refused.status !== 400) throw new Error(`the ${name} query was not refused (HTTP ${refused.status})`);
  }
  await smallQuery(url, 20); // warm-up

  // RSS and the server's CPU are taken per phase, so that a peak or a cost can be told apart.
  const phase = (loads: Array<ReturnType<typeof loop>>) => measurePhase(server.pid, url, samples, loads);
  const idle = await phase([]);
  const biggest = await phase([loop(url, BIGGEST, clients)]);
  const attack = await phase([loop(url, deepQuery(), Math.ceil(clients / 2)), loop(url, ALIASES, Math.floor(clients / 2) || 1)]);
  const distinct = await phase([loop(url, distinctQuery, clients)]);
  const [bigSamples = []] = biggest.loads;
  const [deepSamples = [], aliasSamples = []] = attack.loads;
  const [distinctSamples = []] = distinct.loads;
  const phases = { idle, biggest, attack, distinct };
  const peaks = Object.fromEntries(Object.entries(phases).map(([name, { memory }]) => [name, round(memory.peak, 0)])) as Record<keyof typeof phases, number>;
  const cpuMs = Object.fromEntries(Object.entries(phases).map(([name, { cpuMs }]) => [name, cpuMs]));
  const memory = { peak: Math.max(...Object.values(peaks)), last: distinct.memory.last };

  const rows = {
    idle: summary(idle.small),
    underBiggest: summary(biggest.small),
    biggest: summary(bigSamples.map((s) => s.ms)),
    underAttack: summary(attack.small),
    deepRefused: summary(deepSamples.map((s) => s.ms)),
    aliasesRefused: summary(aliasSamples.map((s) => s.ms)),
    underDistinct: summary(distinct.small),
    distinctRefused: summary(distinctSamples.map((s) => s.ms)),
  };
  Object.assign(report.metrics, rows, {
    biggestRequests: bigSamples.length,
    biggestAllOk: bigSamples.every((s) => s.ok),
    refusedAll400: [...deepSamples, ...aliasSamples, ...distinctSamples].every((s) => s.status === 400),
    rssPeakMiB: memory.peak,
    rssPeakByPhaseMiB: peaks,
    serverCpuMsByPhase: cpuMs,
    rssLastMiB: memory.last,
    smallP99RatioUnderBiggest: round(rows.underBiggest.p99 / rows.idle.p99, 2),
    smallP99RatioUnderAttack: round(rows.underAttack.p99 / rows.idle.p99, 2),
    smallP99RatioUnderDistinct: round(rows.underDistinct.p99 / rows.idle.p99, 2),
  });
  table(
    ['requests', 'n', 'p50 ms', 'p99 ms', 'max ms'],
    Object.entries(rows).map(([name, row]) => [name, String(row.n), fmt(row.p50), fmt(row.p99), fmt(row.max)]),
  );
  console.log(
    `server RSS peak ${memory.peak} MiB (idle ${peaks.idle}, beside the biggest ${peaks.biggest}, under attack ${peaks.attack}, distinct documents ${peaks.distinct}); ` +
      `server CPU ms: idle ${cpuMs['idle']}, biggest ${cpuMs['biggest']}, attack ${cpuMs['attack']}, distinct ${cpuMs['distinct']}`,
  );
  report.target('over-limit query refused, p99', '<=', 50, Math.max(rows.deepRefused.p99, rows.aliasesRefused.p99, rows.distinctRefused.p99), 'ms');
  report.target('small query p99 under attack', '<=', 100, Math.max(rows.underAttack.p99, rows.underDistinct.p99), 'ms');
  report.target('small query p99 while the biggest allowed query runs', '<=', 250, rows.underBiggest.p99, 'ms');
  report.target('server RSS peak', '<=', 500, memory.peak, 'MiB');
  await server.stop();
  report.write();
});
