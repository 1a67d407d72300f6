import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { query } from './support/client.ts';
import { CreateProductMutation } from './support/documents.ts';
import { allEvents, expectContiguous, provision, waitForRun } from './support/runs.ts';

let server: TestApp;
beforeAll(async () => {
  // The load bench's playbook: 5 loops of `bench_items` items, 2 + 5 × (3 + items) + 2 events.
  server = await startTestApp({ playbooksDir: path.join(repoRoot, 'bench/playbooks') });
});
afterAll(async () => {
  await server?.close();
});

it('reads every event of a run longer than one page', async () => {
  const created = await query(server, CreateProductMutation, {
    input: {
      slug: 'many-events',
      name: 'Many events',
      provisionPlaybook: 'event-stream.yml',
      deprovisionPlaybook: 'event-stream.yml',
      defaultVariables: { bench_items: 40, bench_pause: 0 },
      variableSchema: { type: 'object', properties: { bench_items: { type: 'integer' }, bench_pause: { type: 'number' } } },
    },
  });
  expect(created.createProduct.__typename).toBe('CreateProductSuccess');
  const started = await provision(server, { productSlug: 'many-events', customerRef: 'paging' });
  const run = await waitForRun(server, started.runId);
  expect(run.status).toBe('SUCCEEDED');
  expect(run.lastSeq).toBeGreaterThan(200);
  const events = await allEvents(server, started.runId);
  expectContiguous(events, 1, run.lastSeq);
});
