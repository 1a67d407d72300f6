import type { PgBoss } from 'pg-boss';
import type { DeliveryQueue } from '../../domain/ports/webhooks.ts';
import type { Logger } from '../../logger.ts';
import { ensureQueue } from './pg-boss-queue.ts';

const QUEUE = 'provisio-webhook';

/**
 * Cluster profile: a job per delivery attempt, due at its time (`startAfter`), in the same
 * pg-boss as the runs. Jobs carry only the delivery id; the delivery row decides (a stale job
 * finds it delivered, locked or not yet due and leaves it to the job for its time), and pg-boss's own
 * retries are off: the backoff is the delivery's, kept in its row. A job at each lease's end
 * takes up a delivery whose worker died during the attempt, while the other workers run on.
 */
export async function createPgBossDeliveryQueue(options: { boss: PgBoss; logger: Logger; concurrency: number; onError: (deliveryId: string, error: unknown) => void }): Promise<DeliveryQueue> {
  const { boss } = options;
  // `short`: at most one waiting job per delivery (its id as singleton key), so sweeps and
  // reschedules never pile up jobs for a delivery that keeps failing.
  await ensureQueue(boss, QUEUE, { policy: 'short', retryLimit: 0, expireInSeconds: 300, deleteAfterSeconds: 24 * 3600 });
  const active = new Set<Promise<void>>();
  let closed = false;
  return {
    async schedule(deliveryId, at) {
      await boss.send(QUEUE, { deliveryId }, { startAfter: at, singletonKey: deliveryId });
    },
    async watchLease(deliveryId, leaseEnd) {
      // A key of its own: it must neither displace nor be displaced by the retry scheduled after
      // the attempt, which is usually due sooner. While the watch of an earlier attempt still
      // waits, this one is dropped: that one comes first and finds the delivery held until the
      // new lease ends, so it schedules a look then.
      await boss.send(QUEUE, { deliveryId }, { startAfter: leaseEnd, singletonKey: `lease:${deliveryId}` });
    },
    start(handler) {
      if (options.concurrency === 0) return;
      void boss
        .work<{ deliveryId: string }>(QUEUE, { localConcurrency: options.concurrency, pollingIntervalSeconds: 0.5 }, async ([job]) => {
          if (!job || closed) return;
          const task = handler(job.data.deliveryId).catch((error: unknown) => options.onError(job.data.deliveryId, error));
          active.add(task);
          await task.finally(() => active.delete(task));
        })
        .catch((error: unknown) => options.logger.error({ err: error }, 'the webhook queue (pg-boss) did not start its workers'));
    },
    async close() {
      closed = true;
      if (options.concurrency > 0) await boss.offWork(QUEUE, { wait: false }).catch(() => {});
      await Promise.allSettled([...active]);
    },
  };
}
