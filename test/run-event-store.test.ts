import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitEventStore } from '../src/infra/db/run-event-store.ts';
import type { EventRecord, RunState } from '../src/domain/ports/run-event-store.ts';
import { NO_METRICS } from '../src/domain/ports/metrics.ts';
import { startTestApp, type TestApp } from './support/app.ts';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp({}, { demo: true });
});
afterAll(async () => {
  await server?.close();
});

/** A run row to write events for (never queued: the test is the only store). */
async function newRun(): Promise<string> {
  const { prisma } = server.app.database;
  const product = await prisma.product.findUniqueOrThrow({ where: { slug: 'voip-line' } });
  const run = await prisma.provisioningRun.create({ data: { productId: product.id, action: 'PROVISION', playbook: product.provisionPlaybook, timeoutSeconds: 60, status: 'RUNNING' } });
  return run.id;
}

const event = (seq: number, type = 'runner_ok'): EventRecord => ({ seq, type, task: 'Task', host: 'localhost', section: null, changed: false, data: { n: seq }, createdAt: new Date().toISOString() });
const state = (lastSeq: number, extra: Partial<RunState> = {}): RunState => ({ lastSeq, okCount: lastSeq, changedCount: 0, failedCount: 0, skippedCount: 0, rescuedCount: 0, unreachableCount: 0, ...extra });

describe('group commit of run events', () => {
  it('writes the events of several runs, and each run\'s row, in one commit', async () => {
    const commits: number[] = [];
    const store = new GroupCommitEventStore(server.app.database.sql, { ...NO_METRICS, eventsCommitted: (count) => commits.push(count) });
    const [a, b] = [await newRun(), await newRun()];
    await Promise.all([
      store.write(a, [event(1), event(2)], state(2, { tasksStarted: 1, currentTask: 'Task', currentHost: 'localhost' })),
      store.write(b, [event(1)], state(1)),
    ]);
    expect(commits).toEqual([3]);
    const { prisma } = server.app.database;
    expect(await prisma.runEvent.count({ where: { runId: a } })).toBe(2);
    expect(await prisma.runEvent.count({ where: { runId: b } })).toBe(1);
    expect(await prisma.provisioningRun.findUniqueOrThrow({ where: { id: a } })).toMatchObject({ lastSeq: 2, okCount: 2, tasksStarted: 1, currentTask: 'Task', currentHost: 'localhost' });
    // Without progress (no task started yet) the row keeps what it had.
    expect(await prisma.provisioningRun.findUniqueOrThrow({ where: { id: b } })).toMatchObject({ lastSeq: 1, okCount: 1, tasksStarted: 0, currentTask: null });
  });

  it('with a window, events arriving within it after a quiet spell share one commit; an urgent write ends the window, and a write right after a commit does not wait', async () => {
    const commits: number[] = [];
    const store = new GroupCommitEventStore(server.app.database.sql, { ...NO_METRICS, eventsCommitted: (count) => commits.push(count) }, { windowMs: 200 });
    const [a, b] = [await newRun(), await newRun()];
    const first = store.write(a, [event(1)], state(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = store.write(b, [event(1)], state(1));
    await Promise.all([first, second]);
    expect(commits).toEqual([2]);

    // A window far longer than the test may take: only the urgent write can end it.
    const patient = new GroupCommitEventStore(server.app.database.sql, { ...NO_METRICS, eventsCommitted: (count) => commits.push(count) }, { windowMs: 3_600_000 });
    const lone = patient.write(a, [event(2)], state(2));
    await patient.write(b, [event(2)], state(2), { urgent: true });
    await lone;
    expect(commits).toEqual([2, 2]);
    // Right after a commit (a flood, a recorder's next batch) nothing waits for the window.
    await patient.write(a, [event(3)], state(3));
    expect(commits).toEqual([2, 2, 1]);
  });

  it('a run whose events cannot be written fails alone: the others of its group are committed', async () => {
    const store = new GroupCommitEventStore(server.app.database.sql);
    const [a, b] = [await newRun(), await newRun()];
    await store.write(a, [event(1)], state(1));
    const results = await Promise.allSettled([store.write(a, [event(1)], state(1)), store.write(b, [event(1), event(2)], state(2))]);
    expect(results[0].status).toBe('rejected');
    expect(results[1].status).toBe('fulfilled');
    expect(await server.app.database.prisma.runEvent.count({ where: { runId: b } })).toBe(2);
    expect((await server.app.database.prisma.provisioningRun.findUniqueOrThrow({ where: { id: b } })).lastSeq).toBe(2);
  });

  it.each([
    ['a few events, bound as parameters', 3],
    ['a batch, as one JSON parameter', 120],
  ])('stores every field as given: %s', async (_shape, count) => {
    const store = new GroupCommitEventStore(server.app.database.sql);
    const runId = await newRun();
    const createdAt = new Date(Date.UTC(2026, 10, 26, 12, 0, 0, 123)).toISOString();
    const data = { result: { msg: 'quote \' " backslash \\ ünïcødé 📡', list: [1, null, true], nested: { empty: {} } }, ts: createdAt };
    const events: EventRecord[] = Array.from({ length: count }, (_, i) => ({
      seq: i + 1, type: i % 2 ? 'runner_failed' : 'runner_ok', task: i % 3 ? `Task ${i}` : null, host: i % 3 ? 'localhost' : null,
      section: i % 4 ? 'rescue' : null, changed: i % 5 === 0 ? null : i % 2 === 0, data: { ...data, i }, createdAt,
    }));
    await store.write(runId, events, state(count));
    const stored = await server.app.database.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: 'asc' } });
    expect(stored.map(({ runId: _run, createdAt: at, ...row }) => ({ ...row, createdAt: at.toISOString() }))).toEqual(events);
  });
});

