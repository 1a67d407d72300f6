import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startTestApp, type TestApp } from './support/app.ts';
import { rawQuery } from './support/client.ts';
import { profile } from './support/database.ts';
import { eventually } from './support/wait.ts';

// A bulk sync check of a fleet: 200 lines on one element (a stand-in whose configuration is
// files, checked by the real ansible-playbook in check and diff mode), 10 of them edited by hand.
// The lines are inserted as provisioned (their rows and their files), since provisioning 200 is
// not what is under test. One profile is enough: the queue's limits and the bulk's transaction
// are the same code on both, and the cluster's insert is tested in cluster-processes.

const FLEET = 200;
const DRIFTED = FLEET / 20;
const ELEMENT_LIMIT = 2;
const PARTS = 10;

let server: TestApp;
let elementDir: string;
let lines: Array<{ id: string; customerRef: string }>;

const gql = (query: string, variables: Record<string, unknown> = {}) => rawQuery(server, query, variables);

/** A part's file as the provision playbook writes it. */
function writeLine(customerRef: string, rate: number): void {
  fs.mkdirSync(path.join(elementDir, customerRef), { recursive: true });
  for (let part = 1; part <= PARTS; part++) fs.writeFileSync(path.join(elementDir, customerRef, `part-${part}.conf`), `${customerRef} part ${part} rate ${rate}\n`);
}

beforeAll(async () => {
  if (profile !== 'embedded') return;
  elementDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-fleet-'));
  server = await startTestApp({ playbooksDir: path.join(repoRoot, 'test/fixtures/playbooks'), maxConcurrentRuns: 4 });
  const local = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
  const { createTarget } = await gql(`mutation ($input: CreateTargetInput!) { createTarget(input: $input) { __typename ... on Error { message } } }`, {
    input: { name: 'fleet-element', inventory: { hosts: { 'fleet-el': local } }, limits: { 'fleet-el': ELEMENT_LIMIT } },
  });
  expect(createTarget.__typename).toBe('CreateTargetSuccess');
  const { createProduct } = await gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { __typename ... on Error { message } } }`, {
    input: {
      slug: 'fleet-line',
      name: 'Fleet line',
      provisionPlaybook: 'fleet/provision.yml',
      deprovisionPlaybook: 'fleet/deprovision.yml',
      target: 'fleet-element',
      defaultVariables: { element_dir: elementDir, rate: 100 },
      variableSchema: { type: 'object', properties: { element_dir: { type: 'string' }, rate: { type: 'integer' } } },
    },
  });
  expect(createProduct.__typename).toBe('CreateProductSuccess');
  const prisma = server.app.database.prisma;
  const product = await prisma.product.findUniqueOrThrow({ where: { slug: 'fleet-line' } });
  lines = await prisma.$queryRawUnsafe<Array<{ id: string; customerRef: string }>>(
    `INSERT INTO "Service" (id, "productId", "customerRef", status, "productRevision", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, 'fleet-' || lpad(i::text, 3, '0'), 'ACTIVE', $2, now() FROM generate_series(1, ${FLEET}) AS i
     RETURNING id, "customerRef"`,
    product.id,
    product.revision,
  );
  for (const line of lines) writeLine(line.customerRef, 100);
});
afterAll(async () => {
  await server?.close();
  if (elementDir) fs.rmSync(elementDir, { recursive: true, force: true });
});

const BULK = `id state skipped cancelledAt progress { total queued running done succeeded failed inSync drifted }`;

type BulkRun = { status: string; statusReason: string | null; startedAt: string | null; finishedAt: string | null };

/** Every run of a bulk operation, page by page (a page holds at most 100). */
async function bulkRuns(id: string): Promise<BulkRun[]> {
  const runs: BulkRun[] = [];
  for (let after: string | null = null; ; ) {
    const page: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: BulkRun[] } = (
      await gql(`query ($id: ID!, $after: String) { node(id: $id) { ... on BulkOperation { runs(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { status statusReason startedAt finishedAt } } } } }`, { id, after })
    ).node.runs;
    runs.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return runs;
    after = page.pageInfo.endCursor;
  }
}

async function startBulk(input: Record<string, unknown>) {
  const { startBulkOperation } = await gql(`mutation ($input: StartBulkOperationInput!) { startBulkOperation(input: $input) { __typename ... on Error { message } ... on StartBulkOperationSuccess { bulkOperation { id } } } }`, { input });
  expect(startBulkOperation.__typename, JSON.stringify(startBulkOperation)).toBe('StartBulkOperationSuccess');
  return startBulkOperation.bulkOperation.id as string;
}

async function bulkState(id: string) {
  return (await gql(`query ($id: ID!) { node(id: $id) { ... on BulkOperation { ${BULK} } } }`, { id })).node;
}

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

/** The most runs that overlapped in time: started before another finished. */
function mostAtOnce(runs: BulkRun[]): number {
  const edges = runs.filter((run) => run.startedAt && run.finishedAt).flatMap((run) => [[Date.parse(run.startedAt!), 1], [Date.parse(run.finishedAt!), -1]] as const);
  // An end at the same millisecond as a start comes first: the slot was free.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (current += step));
  return most;
}

describe.skipIf(profile !== 'embedded')('a bulk sync check of a fleet of 200 lines on one element', () => {
  it('flags exactly the 10 lines edited at the element, never more runs on it than its limit, changing nothing', async () => {
    const edited = lines.filter((_line, index) => index % (FLEET / DRIFTED) === 7);
    for (const line of edited) fs.writeFileSync(path.join(elementDir, line.customerRef, 'part-4.conf'), 'edited by hand\n');
    const before = new Map(lines.map((line) => [line.customerRef, fs.readFileSync(path.join(elementDir, line.customerRef, 'part-4.conf'), 'utf8')]));

    const id = await startBulk({ kind: 'CHECK_SYNC', productSlug: 'fleet-line' });
    const done = await eventually(() => bulkState(id), (state) => state.state !== 'RUNNING', 'the bulk check to finish', 1_200_000);
    expect(done).toMatchObject({ state: 'DONE', skipped: 0, progress: { total: FLEET, done: FLEET, succeeded: FLEET, failed: 0, inSync: FLEET - DRIFTED, drifted: DRIFTED } });
    const runs = await bulkRuns(id);
    expect(runs).toHaveLength(FLEET);
    expect(mostAtOnce(runs)).toBeLessThanOrEqual(ELEMENT_LIMIT);

    const drifted = (await gql(`{ services(first: 100, filter: { productSlug: "fleet-line", syncState: DRIFTED }) { nodes { id syncDiffs { task host } } } }`)).services.nodes;
    expect(drifted.map((service: { id: string }) => service.id).sort()).toEqual(edited.map((line) => globalId('Service', line.id)).sort());
    for (const service of drifted) expect(service.syncDiffs).toEqual([{ task: 'Configure part 4', host: 'fleet-el' }]);
    for (const line of lines) expect(fs.readFileSync(path.join(elementDir, line.customerRef, 'part-4.conf'), 'utf8')).toBe(before.get(line.customerRef));
  }, 1_500_000);

  it('a cancel midway stops the rest: queued checks never start', async () => {
    const id = await startBulk({ kind: 'CHECK_SYNC', productSlug: 'fleet-line', syncState: 'IN_SYNC' });
    await eventually(() => bulkState(id), (state) => state.progress.done >= 5, 'the first checks to end', 300_000);
    const { cancelBulkOperation } = await gql(`mutation ($id: ID!) { cancelBulkOperation(id: $id) { __typename } }`, { id });
    expect(cancelBulkOperation.__typename).toBe('CancelBulkOperationSuccess');
    const stopped = await eventually(() => bulkState(id), (state) => state.progress.queued + state.progress.running === 0, 'the cancelled bulk to settle', 120_000);
    expect(stopped.state).toBe('CANCELLED');
    expect(stopped.progress.total).toBe(FLEET - DRIFTED);
    const runs = await bulkRuns(id);
    const statuses = runs.map((run) => run.status);

    // What had started when the cancel came ends (SUCCEEDED, or CANCELED if stopped); nothing queued ran.
    expect(statuses.every((status: string) => status === 'SUCCEEDED' || status === 'CANCELED')).toBe(true);
    // No worker takes a run of a cancelled bulk; one whose claim crossed the cancel is stopped: nothing that started after it ran to its end.
    const cancelledAt = Date.parse(stopped.cancelledAt);
    const startedAfter = runs.filter((run) => run.startedAt && Date.parse(run.startedAt) > cancelledAt);
    expect(startedAfter.map((run) => run.status)).toEqual(startedAfter.map(() => 'CANCELED'));
    expect(runs.filter((run) => run.status === 'SUCCEEDED').every((run) => Date.parse(run.startedAt!) < cancelledAt)).toBe(true);
    expect(statuses.filter((status: string) => status === 'CANCELED').length).toBeGreaterThanOrEqual(FLEET - DRIFTED - 30);
    // The running checks are stopped first, while they still run. A cancelled check, queued or
    // stopped, leaves the verdict the last one found.
    expect(runs.some((run) => run.status === 'CANCELED' && run.startedAt)).toBe(true);
    expect((await gql(`{ services(first: 1, filter: { productSlug: "fleet-line", syncState: IN_SYNC }) { totalCount } }`)).services.totalCount).toBe(FLEET - DRIFTED);
  }, 300_000);

  it('a bulk marked cancelled by a process that died before cancelling its runs: workers end them CANCELED, never run them', async () => {
    const id = await startBulk({ kind: 'CHECK_SYNC', productSlug: 'fleet-line', syncState: 'IN_SYNC' });
    // The first write of a cancel; its process dies before it gets to the runs.
    const cancelledAt = new Date();
    await server.app.database.prisma.bulkOperation.update({ where: { id: Buffer.from(id, 'base64').toString().split(':')[1]! }, data: { cancelledAt } });
    const stopped = await eventually(() => bulkState(id), (state) => state.progress.queued + state.progress.running === 0, 'the workers to end the queued runs', 300_000);
    expect(stopped.state).toBe('CANCELLED');
    const runs = await bulkRuns(id);
    expect(runs).toHaveLength(FLEET - DRIFTED);
    // Only what a worker took before the mark ran: the first few, the element's limit at a time.
    const started = runs.filter((run) => run.startedAt);
    expect(started.every((run) => Date.parse(run.startedAt!) < cancelledAt.getTime())).toBe(true);
    const neverStarted = runs.filter((run) => !run.startedAt);
    expect(neverStarted.length).toBeGreaterThan((FLEET - DRIFTED) / 2);
    expect(neverStarted.map((run) => [run.status, run.statusReason])).toEqual(neverStarted.map(() => ['CANCELED', 'its bulk operation was cancelled before it started']));
  }, 300_000);
});
