import { expect, it } from 'vitest';
import type { PrismaClient, RunEvent } from '#generated/prisma/client.ts';
import { streamRunEvents } from '../../src/domain/runs/stream.ts';
import { createMemoryEventBus } from '../../src/infra/pubsub/pubsub.ts';
import { eventually } from '../support/wait.ts';

// A run's row and its stored events as the stream reads them; the writer commits both at once.
function storedRun() {
  const run = { status: 'RUNNING', lastSeq: 0 };
  const events: RunEvent[] = [];
  let eventReads = 0;
  let rowReads = 0;
  const event = (seq: number): RunEvent => ({ id: `e${seq}`, runId: 'r', seq, type: 'runner_ok', task: 't', host: 'h', section: null, changed: false, data: {}, createdAt: new Date(0) }) as unknown as RunEvent;
  const prisma = {
    provisioningRun: { findUnique: async () => (rowReads++, { ...run }) },
    runEvent: {
      findMany: async ({ where }: { where: { seq: { gt: number } } }) => {
        eventReads++;
        return events.filter((e) => e.seq > where.seq.gt);
      },
    },
  } as unknown as PrismaClient;
  return {
    prisma,
    run,
    event,
    commit(seq: number) {
      events.push(event(seq));
      run.lastSeq = seq;
    },
    get eventReads() {
      return eventReads;
    },
    get rowReads() {
      return rowReads;
    },
  };
}

it('checks a quiet run by its row alone, and still finds an event whose message was lost', async () => {
  // A bus that may lose messages (Redis): the stream checks every quiet second.
  const bus = Object.assign(createMemoryEventBus(), { lossless: false });
  const db = storedRun();
  db.commit(1);
  const stream = streamRunEvents({ prisma: db.prisma, events: bus }, 'r', 0);
  const seen: number[] = [];
  const reading = (async () => {
    for await (const event of stream) seen.push(event.seq);
  })();
  await eventually(() => seen.length, (n) => n === 1, 'the stored event', 10_000);
  expect(db.eventReads).toBe(1);

  // Live: committed, then published.
  db.commit(2);
  bus.publish('run:event', 'r', { ...db.event(2), createdAt: new Date(0).toISOString() });
  // Quiet seconds: the stream looks at the run's row and reads no events.
  await eventually(() => db.rowReads, (n) => n >= 3, 'two quiet checks', 10_000);
  expect(seen).toEqual([1, 2]);
  expect(db.eventReads).toBe(1);

  // A lost message (a cluster bus that dropped it): the next check finds it through lastSeq.
  db.commit(3);
  await eventually(() => seen.length, (n) => n === 3, 'the event whose message was lost', 10_000);
  expect(seen).toEqual([1, 2, 3]);
  expect(db.eventReads).toBe(2);

  db.run.status = 'SUCCEEDED';
  bus.publish('run:updated', 'r', { runId: 'r', status: 'SUCCEEDED', lastSeq: 3, terminal: true });
  await reading;
  expect(seen).toEqual([1, 2, 3]);
});

it('checks the database rarely when the bus loses nothing', async () => {
  const bus = createMemoryEventBus();
  const db = storedRun();
  const stream = streamRunEvents({ prisma: db.prisma, events: bus }, 'r', 0);
  const reading = (async () => {
    for await (const event of stream) void event;
  })();
  await eventually(() => db.rowReads, (n) => n >= 1, 'the first check', 10_000);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(db.rowReads).toBe(1);
  bus.publish('run:updated', 'r', { runId: 'r', status: 'SUCCEEDED', lastSeq: 0, terminal: true });
  db.run.status = 'SUCCEEDED';
  await reading;
  expect(db.rowReads).toBe(2);
});
