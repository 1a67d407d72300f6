// console: the operator console in Debian's chromium against the real server process.
// Bundle size (raw and gzip), time to first render (navigation → first contentful paint, and
// sign-in → first view), and the run view on a run of ~5,000 events: watched live while the run
// streams (does it keep up?), then opened after the run (all rows loaded, rows in the DOM,
// frame times while scrolling through it).
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildConsole, consoleOutDir } from '../scripts/build-console.ts';
import { benchPlaybooksDir } from './lib/paths.ts';
import { benchOptions, numberOption } from './lib/options.ts';
import { max, median, percentile } from './lib/stats.ts';
import { embeddedDataDir, onCleanup, runBench, tempDir } from './lib/cleanup.ts';
import { Report, fmt, table } from './lib/report.ts';
import { BENCH_ADMIN_KEY, createProduct, provision, waitTerminal } from './lib/gql.ts';
import { spawnServer, waitReady } from './lib/server.ts';

const FIRST_RENDER_TARGET_MS = 1_000;
const SCROLL_FRAME_P95_TARGET_MS = 50;

await runBench(async () => {
  const options = benchOptions();
  const items = numberOption(options, 'items', 1_000);
  const report = new Report('console');
  Object.assign(report.params, { items });

  const build = await buildConsole({ quiet: true });
  const bundle = fs.readFileSync(path.join(consoleOutDir, 'console.js'));
  const css = fs.readFileSync(path.join(consoleOutDir, 'console.css'));

  const dir = tempDir('console');
  const server = await spawnServer({ PROVISIO_DATA_DIR: embeddedDataDir(dir), PROVISIO_PLAYBOOKS_DIR: benchPlaybooksDir, PROVISIO_SEED_DEMO: 'false' });
  onCleanup(async () => {
    await server.stop();
  });
  await waitReady(server.url);
  const base = server.url.replace(/\/graphql$/, '');
  await createProduct(server.url, {
    slug: 'bench-stream',
    name: 'Bench: event stream',
    provisionPlaybook: 'event-stream.yml',
    deprovisionPlaybook: 'event-stream.yml',
    variableSchema: { type: 'object', properties: { bench_items: { type: 'integer' }, bench_pause: { type: 'number' } } },
    defaultVariables: { bench_items: items, bench_pause: 0 },
  });

  const browser = await chromium.launch({ executablePath: process.env['PROVISIO_CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  onCleanup(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

  // First render: a cold page (new context) to the sign-in form, then signing in to the first view.
  const navigationStart = performance.now();
  await page.goto(`${base}/console/`);
  await page.waitForSelector('input[name=apiKey]');
  const formShownMs = performance.now() - navigationStart;
  const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN);
  await page.fill('input[name=apiKey]', BENCH_ADMIN_KEY);
  const signInStart = performance.now();
  await page.click('button[type=submit]');
  await page.waitForSelector('main h2');
  const firstViewMs = performance.now() - signInStart;

  // Live: the run view open while ~5,000 events stream in.
  const { runId } = await provision(server.url, { productSlug: 'bench-stream', customerRef: 'console-bench' });
  await page.goto(`${base}/console/#/runs/${encodeURIComponent(runId)}`);
  await page.waitForSelector('[data-testid=events]');
  const { run, at: finishedAt } = await waitTerminal(server.url, runId, { timeoutMs: 600_000 });
  const lastSeq = run.lastSeq;
  await page.waitForFunction((seq) => Number(document.querySelector('[data-testid=events]')?.getAttribute('data-rows')) >= seq, lastSeq, { timeout: 120_000 });
  const liveCatchUpMs = performance.now() - finishedAt;

  // After the run: open it anew, all events replayed from the database.
  await page.goto(`${base}/console/#/`);
  await page.waitForSelector('main h2');
  const openStart = performance.now();
  await page.goto(`${base}/console/#/runs/${encodeURIComponent(runId)}`);
  await page.waitForFunction((seq) => Number(document.querySelector('[data-testid=events]')?.getAttribute('data-rows')) >= seq, lastSeq, { timeout: 120_000 });
  const replayMs = performance.now() - openStart;
  const domRows = await page.locator('[data-testid=events] .row').count();
  // Scroll from the top to the bottom in 60 steps, one per frame, timing each frame.
  const frames = await page.evaluate(async () => {
    const box = document.querySelector<HTMLElement>('[data-testid=events]')!;
    const times: number[] = [];
    let last = performance.now();
    for (let step = 0; step <= 60; step++) {
      box.scrollTop = (box.scrollHeight * step) / 60;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    return times.slice(1);
  });
  const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? Number.NaN);

  table(
    ['measure', 'value'],
    [
      ['bundle: console.js raw / gzip (KiB)', `${fmt(bundle.length / 1024)} / ${fmt(gzipSync(bundle).length / 1024)}`],
      ['bundle: console.css raw / gzip (KiB)', `${fmt(css.length / 1024)} / ${fmt(gzipSync(css).length / 1024)}`],
      ['build time (ms)', fmt(build.ms)],
      ['navigation → sign-in form shown (ms)', fmt(formShownMs)],
      ['first contentful paint (ms, browser timing)', fmt(paint)],
      ['sign in → first view rendered (ms)', fmt(firstViewMs)],
      ['run events', fmt(lastSeq)],
      ['live: run finished → last event shown (ms)', fmt(liveCatchUpMs)],
      ['replay: open a finished run → all events loaded (ms)', fmt(replayMs)],
      ['rows in the DOM (of all events)', `${domRows} (of ${fmt(lastSeq)})`],
      ['scroll top → bottom, 60 steps: frame median / p95 / max (ms)', `${fmt(median(frames))} / ${fmt(percentile(frames, 95))} / ${fmt(max(frames))}`],
      ['page JS heap after (MiB)', fmt(heap / 2 ** 20)],
    ],
  );
  Object.assign(report.metrics, { bundleBytes: bundle.length, bundleGzipBytes: gzipSync(bundle).length, cssBytes: css.length, buildMs: build.ms, formShownMs, firstContentfulPaintMs: paint, firstViewMs, events: lastSeq, liveCatchUpMs, replayMs, domRows, scrollFrames: frames, heapBytes: heap });
  report.target('navigation → sign-in form shown', '<=', FIRST_RENDER_TARGET_MS, formShownMs, 'ms');
  report.target('sign in → first view', '<=', FIRST_RENDER_TARGET_MS, firstViewMs, 'ms');
  report.target(`scroll through ${lastSeq} events: frame p95`, '<=', SCROLL_FRAME_P95_TARGET_MS, percentile(frames, 95), 'ms');
  report.target('rows in the DOM stay bounded (virtualised)', '<=', 200, domRows, '');
  report.write();
});
