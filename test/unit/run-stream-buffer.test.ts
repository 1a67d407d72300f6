import { expect, it } from 'vitest';
import { listen, MAX_LIVE_BUFFER } from '../../src/domain/runs/stream.ts';
import { createMemoryEventBus } from '../../src/infra/pubsub/pubsub.ts';

const message = (seq: number) => ({ runId: 'r', seq, type: 'runner_ok', task: null, host: null, section: null, changed: null, data: {}, createdAt: new Date(0).toISOString() });
const tick = () => new Promise((resolve) => setImmediate(resolve));

it('keeps a stalled subscriber\'s live buffer bounded, and says when it dropped messages', async () => {
  const events = createMemoryEventBus();
  const live = listen(events, 'r');
  await tick();
  const published = 3 * MAX_LIVE_BUFFER;
  for (let seq = 1; seq <= published; seq++) {
    events.publish('run:event', 'r', message(seq));
    // Publish in slices so the pump keeps draining the bus (as it does under load).
    if (seq % 500 === 0) await tick();
  }
  await tick();
  expect(live.size).toBeLessThanOrEqual(MAX_LIVE_BUFFER);
  // The subscriber learns that it missed messages (and reads them from the database), then goes on live.
  expect(await live.next(10)).toEqual({ kind: 'overflow' });
  const next = await live.next(10);
  if (next?.kind !== 'event') throw new Error(`expected a live event, got ${JSON.stringify(next)}`);
  expect(next.message.seq).toBeGreaterThan(published - MAX_LIVE_BUFFER);
  live.close();
});
