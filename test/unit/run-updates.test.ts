import { expect, it } from 'vitest';
import type { PrismaClient } from '#generated/prisma/client.ts';
import type { RunUpdatedMessage } from '../../src/domain/ports/event-bus.ts';
import { streamRunUpdates } from '../../src/domain/runs/stream.ts';
import { createMemoryEventBus } from '../../src/infra/pubsub/pubsub.ts';

it('runUpdated reads the database once, coalesces a burst of updates, and sends the terminal one at once', async () => {
  const events = createMemoryEventBus();
  let reads = 0;
  // The run's row as the stream reads it at the start; later states come with the messages.
  const prisma = { provisioningRun: { findUnique: async () => (reads++, { status: 'RUNNING', lastSeq: 0 }) } } as unknown as PrismaClient;
  const stream = streamRunUpdates({ prisma, events }, 'r');
  const received: RunUpdatedMessage[] = [];
  const first = await stream.next();
  received.push(first.value as RunUpdatedMessage);
  const rest = (async () => {
    for await (const update of stream) received.push(update);
  })();
  const update = (lastSeq: number, terminal = false): RunUpdatedMessage => ({ runId: 'r', status: terminal ? 'SUCCEEDED' : 'RUNNING', lastSeq, terminal });
  for (let seq = 1; seq <= 200; seq++) {
    events.publish('run:updated', 'r', update(seq));
    if (seq % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const terminalAt = performance.now();
  events.publish('run:updated', 'r', update(201, true));
  await rest;
  expect(performance.now() - terminalAt).toBeLessThan(1000);
  expect(reads).toBe(1);
  expect(received[0]).toEqual({ runId: 'r', status: 'RUNNING', lastSeq: 0, terminal: false });
  expect(received.at(-1)).toEqual(update(201, true));
  // 200 updates in ~60 ms: a handful reach the subscriber, in order.
  expect(received.length).toBeLessThan(10);
  expect(received.map((item) => item.lastSeq)).toEqual([...received.map((item) => item.lastSeq)].sort((a, b) => a - b));
});
