import pLimit from 'p-limit';
import type { DeliveryQueue } from '../../domain/ports/webhooks.ts';

/** Node fires a longer timer at once; a later delivery is looked at again by the sweep. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Embedded profile: a timer per scheduled delivery, and at most `concurrency` sends at once. Lost
 * with the process by design: the deliveries table is the queue's memory, swept at start.
 */
export function createMemoryDeliveryQueue(options: { concurrency: number; onError: (deliveryId: string, error: unknown) => void }): DeliveryQueue {
  const timers = new Map<string, NodeJS.Timeout>();
  const limit = pLimit(options.concurrency);
  const active = new Set<Promise<void>>();
  let handler: ((deliveryId: string) => Promise<void>) | undefined;
  /** Due before start(): handed over when it is called. */
  const dueBeforeStart = new Set<string>();
  let closed = false;

  const fire = (deliveryId: string) => {
    timers.delete(deliveryId);
    if (closed) return;
    if (!handler) {
      dueBeforeStart.add(deliveryId);
      return;
    }
    const run = handler;
    const task = limit(() => (closed ? Promise.resolve() : run(deliveryId)))
      .catch((error: unknown) => options.onError(deliveryId, error))
      .finally(() => active.delete(task));
    active.add(task);
  };

  return {
    async schedule(deliveryId, at) {
      if (closed) return;
      clearTimeout(timers.get(deliveryId));
      const timer = setTimeout(fire, Math.min(Math.max(0, at.getTime() - Date.now()), MAX_TIMER_MS), deliveryId);
      timer.unref();
      timers.set(deliveryId, timer);
    },
    // Nothing: these timers die with the sender, and the restart's sweep schedules its leases' ends.
    async watchLease() {},
    start(deliveryHandler) {
      handler = deliveryHandler;
      for (const deliveryId of dueBeforeStart) fire(deliveryId);
      dueBeforeStart.clear();
    },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...active]);
    },
  };
}
