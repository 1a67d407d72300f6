import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDataDir, startTestApp, type TestApp } from './support/app.ts';
import { type Endpoint, rawQuery } from './support/client.ts';
import { profile } from './support/database.ts';
import { waitForRun } from './support/runs.ts';
import { spawnServer, type ServerProcess } from './support/server-process.ts';
import { eventually } from './support/wait.ts';

// Runs asked for a later time: SCHEDULED with their inventory reserved, started at their time by
// the scheduler (never before), cancelled or moved before then, and expired when their notAfter
// passed unstarted. The table is the schedule: a kill -9 loses none of it.

/** Later than this after its time, a run was found by the scheduler's periodic look, not by its timer. */
const LATE_MS = 10_000;

const PROVISION = `mutation ($input: ProvisionServiceInput!) { provisionService(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on ProvisionServiceSuccess { started { service { id status inventoryItems { id status } } run { id status notBefore notAfter } } } } }`;
const RUN = `query ($id: ID!) { run(id: $id) { id status statusReason notBefore notAfter queuedAt startedAt finishedAt service { status inventoryItems { id status } } } }`;
const ITEM = `query ($id: ID!) { node(id: $id) { ... on InventoryItem { status } } }`;

const line = (customerRef: string, timing: Record<string, unknown> = {}) => ({
  productSlug: 'voip-line',
  customerRef,
  variables: { caller_id_name: 'Scheduled', sip_password: `sip-password-${customerRef}` },
  ...timing,
});
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

async function provisionAt(endpoint: Endpoint, customerRef: string, timing: Record<string, unknown>) {
  const { provisionService } = await rawQuery(endpoint, PROVISION, { input: line(customerRef, timing) });
  expect(provisionService.__typename, JSON.stringify(provisionService)).toBe('ProvisionServiceSuccess');
  return provisionService.started as { service: { id: string; status: string; inventoryItems: Array<{ id: string; status: string }> }; run: { id: string; status: string; notBefore: string | null } };
}

const runOf = async (endpoint: Endpoint, id: string) => (await rawQuery(endpoint, RUN, { id })).run;

describe('scheduled runs on one server', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({}, { demo: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a provision scheduled ahead waits SCHEDULED with its number reserved, then starts at its time, never before', async () => {
    const notBefore = inSeconds(4);
    const started = await provisionAt(server, 'at-time', { notBefore });
    expect(started.run).toMatchObject({ status: 'SCHEDULED', notBefore });
    expect(started.service.status).toBe('PROVISIONING');
    expect(started.service.inventoryItems.map((item) => item.status)).toEqual(['RESERVED']);
    // One run per service: nothing else may be started on it while it waits.
    const blocked = await rawQuery(server, `mutation ($id: ID!) { deprovisionService(id: $id) { __typename } }`, { id: started.service.id });
    expect(blocked.deprovisionService.__typename).toBe('InvalidStateError');

    const run = await waitForRun(server, started.run.id, 120_000);
    expect(run.status).toBe('SUCCEEDED');
    const ended = await runOf(server, started.run.id);
    const late = Date.parse(ended.queuedAt) - Date.parse(notBefore);
    console.info(`a run scheduled 4 s ahead was queued ${late} ms after its time`);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(LATE_MS);
    expect(Date.parse(ended.startedAt)).toBeGreaterThanOrEqual(Date.parse(notBefore));
  });

  it('cancels or moves a run before it starts; a moved run keeps its place no longer than asked', async () => {
    const cancelled = await provisionAt(server, 'cancel-me', { notBefore: inSeconds(3600) });
    const cancel = await rawQuery(server, `mutation ($id: ID!) { cancelRun(id: $id) { __typename ... on CancelRunSuccess { run { status } } } }`, { id: cancelled.run.id });
    expect(cancel.cancelRun).toEqual({ __typename: 'CancelRunSuccess', run: { status: 'CANCELED' } });
    const item = cancelled.service.inventoryItems[0]!.id;
    expect((await rawQuery(server, ITEM, { id: item })).node.status).toBe('AVAILABLE');
    expect((await runOf(server, cancelled.run.id)).service.status).toBe('FAILED');

    const moved = await provisionAt(server, 'move-me', { notBefore: inSeconds(3600), notAfter: inSeconds(7200) });
    const soon = inSeconds(2);
    const reschedule = `mutation ($id: ID!, $notBefore: DateTime!, $notAfter: DateTime) { rescheduleRun(id: $id, notBefore: $notBefore, notAfter: $notAfter) {
      __typename ... on Error { message } ... on RescheduleRunSuccess { run { status notBefore notAfter } } } }`;
    const rescheduled = await rawQuery(server, reschedule, { id: moved.run.id, notBefore: soon });
    expect(rescheduled.rescheduleRun).toEqual({ __typename: 'RescheduleRunSuccess', run: { status: 'SCHEDULED', notBefore: soon, notAfter: null } });
    expect((await waitForRun(server, moved.run.id, 120_000)).status).toBe('SUCCEEDED');
    expect(Date.parse((await runOf(server, moved.run.id)).queuedAt)).toBeGreaterThanOrEqual(Date.parse(soon));
    // Once it has started it is no longer moved.
    const again = await rawQuery(server, reschedule, { id: moved.run.id, notBefore: inSeconds(60) });
    expect(again.rescheduleRun).toMatchObject({ __typename: 'InvalidStateError', message: expect.stringContaining('SUCCEEDED') });
  });

  it('refuses timings that cannot be kept, reserving nothing', async () => {
    const available = async () => (await rawQuery(server, `{ inventoryItems(first: 1, filter: { kind: PHONE_NUMBER, status: AVAILABLE }) { totalCount } }`)).inventoryItems.totalCount;
    const before = await available();
    const refused = async (timing: Record<string, unknown>, path: string) => {
      const { provisionService } = await rawQuery(server, PROVISION, { input: line(`refused-${path}`, timing) });
      expect(provisionService.__typename, JSON.stringify(provisionService)).toBe('ValidationError');
      expect(provisionService.issues.map((error: { path: string }) => error.path)).toContain(path);
    };
    await refused({ notAfter: inSeconds(60) }, 'notAfter');
    await refused({ notBefore: inSeconds(60), notAfter: inSeconds(30) }, 'notAfter');
    await refused({ notBefore: inSeconds(3 * 365 * 86_400) }, 'notBefore');
    await refused({ notBefore: inSeconds(60), checkMode: true }, 'notBefore');
    const malformed = await rawQuery(server, PROVISION, { input: line('malformed', { notBefore: 'next tuesday' }) }).catch((error: Error) => error);
    expect(String(malformed)).toMatch(/DateTime/);
    expect(await available()).toBe(before);
  });
});

describe.skipIf(profile !== 'embedded')('scheduled runs across a kill -9', () => {
  const dirs: string[] = [];
  let server: ServerProcess | undefined;
  afterEach(async () => {
    server?.process.kill('SIGKILL');
    await server?.process;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a run whose time came while the server was down starts after the restart; one past its notAfter ends EXPIRED, its number back', async () => {
    const dataDir = freshDataDir();
    dirs.push(dataDir);
    server = await spawnServer({ PROVISIO_DATA_DIR: dataDir });
    const key = server.key;
    const due = await provisionAt(server, 'due-while-down', { notBefore: inSeconds(3) });
    const expiring = await provisionAt(server, 'expired-while-down', { notBefore: inSeconds(3), notAfter: inSeconds(5) });
    server.process.kill('SIGKILL');
    await server.process;
    await new Promise((resolve) => setTimeout(resolve, 6_000));

    const restartedAt = Date.now();
    server = await spawnServer({ PROVISIO_DATA_DIR: dataDir, PROVISIO_ADMIN_KEY: key });
    const started = await waitForRun(server, due.run.id, 120_000);
    expect(started.status).toBe('SUCCEEDED');
    expect(Date.parse((await runOf(server, due.run.id)).queuedAt)).toBeLessThan(Date.now());
    console.info(`a run due while the server was down was queued ${Date.parse((await runOf(server, due.run.id)).queuedAt) - restartedAt} ms after the restart began`);

    const expired = await eventually(() => runOf(server!, expiring.run.id), (run) => run.status === 'EXPIRED', 'the expired run', 60_000);
    expect(expired).toMatchObject({ startedAt: null, statusReason: expect.stringContaining('notAfter'), service: { status: 'FAILED' } });
    expect((await rawQuery(server, ITEM, { id: expiring.service.inventoryItems[0]!.id })).node.status).toBe('AVAILABLE');
  });
});
