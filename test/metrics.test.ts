import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, setUpPartner } from './support/access.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { wsClient, type Endpoint } from './support/client.ts';
import { provision, RunEventsSubscription, waitForRun } from './support/runs.ts';
import { eventually } from './support/wait.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({}, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

async function scrape(endpoint: Endpoint | { url: string; key?: string }): Promise<Response> {
  return fetch(endpoint.url.replace(/\/graphql$/, '/metrics'), { headers: endpoint.key ? { authorization: `Bearer ${endpoint.key}` } : {} });
}

/** The value of one sample, e.g. `provisio_runs_finished_total{action="PROVISION",...}`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).match(/^\{([^}]*)\}/)?.[1] ?? '';
    if (wanted.every((label) => labelText.split(',').includes(label))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('/metrics', () => {
  it('answers staff keys only', async () => {
    expect((await scrape({ url: server.url })).status).toBe(401);
    const partner = await setUpPartner(server, 'metrics-partner', ['voip-line']);
    expect((await scrape(partner)).status).toBe(403);
    const viewer = await createKey(server, 'VIEWER');
    const response = await scrape(viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
  });

  it('exposes runs, queue, events, commits, delivery lag, subscriptions, pools and the process, and they move when a run runs', async () => {
    const before = await (await scrape(server)).text();
    for (const series of [
      'provisio_runs',
      'provisio_run_queue_depth',
      'provisio_run_queue_oldest_seconds',
      'provisio_inventory_items',
      'provisio_subscriptions',
      'provisio_events_ingested_total',
      'provisio_process_resident_memory_bytes',
    ]) {
      expect(before, series).toMatch(new RegExp(`^# TYPE ${series} `, 'm'));
    }
    expect(sample(before, 'provisio_inventory_items', { kind: 'PHONE_NUMBER', status: 'AVAILABLE' })).toBeGreaterThan(0);
    const ingestedBefore = sample(before, 'provisio_events_ingested_total');

    const started = await provision(server, {
      productSlug: 'voip-line',
      customerRef: 'metrics',
      variables: { caller_id_name: 'Metrics', sip_password: 'sip-password-metrics', simulate_delay_seconds: 2 },
    });
    const client = wsClient(server, { lazyCloseTimeout: 0 });
    const streamed = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: print(RunEventsSubscription), variables: { runId: started.runId, afterSeq: 0 } }, { next: () => {}, error: reject, complete: resolve });
    });
    await eventually(async () => sample(await (await scrape(server)).text(), 'provisio_subscriptions', { transport: 'ws' }), (open) => open === 1, 'the subscription counted', 30_000);
    await streamed;
    await client.dispose();
    expect((await waitForRun(server, started.runId)).status).toBe('SUCCEEDED');

    const after = await eventually(
      async () => (await scrape(server)).text(),
      (text) => sample(text, 'provisio_subscriptions', { transport: 'ws' }) === 0,
      'the subscription ended',
      30_000,
    );
    const finished = { action: 'PROVISION', status: 'SUCCEEDED', product: 'voip-line' };
    expect(sample(after, 'provisio_runs_finished_total', finished)).toBe(1);
    expect(sample(after, 'provisio_runs', { status: 'SUCCEEDED', product: 'voip-line' })).toBe(1);
    expect(sample(after, 'provisio_run_duration_seconds_count', { action: 'PROVISION', status: 'SUCCEEDED' })).toBe(1);
    expect(sample(after, 'provisio_run_duration_seconds_sum', { action: 'PROVISION', status: 'SUCCEEDED' })).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'provisio_run_queue_wait_seconds_count', { action: 'PROVISION' })).toBe(1);
    expect(sample(after, 'provisio_events_ingested_total')).toBeGreaterThan(ingestedBefore + 10);
    expect(sample(after, 'provisio_event_commit_batch_size_count')).toBeGreaterThan(0);
    expect(sample(after, 'provisio_event_commit_seconds_count')).toBe(sample(after, 'provisio_event_commit_batch_size_count'));
    expect(sample(after, 'provisio_event_delivery_lag_seconds_count')).toBeGreaterThan(10);
    expect(sample(after, 'provisio_inventory_items', { kind: 'PHONE_NUMBER', status: 'IN_USE' })).toBe(1);
    expect(sample(after, 'provisio_run_queue_depth')).toBe(0);
  });
});
