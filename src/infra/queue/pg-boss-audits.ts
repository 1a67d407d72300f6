import type { PgBoss } from 'pg-boss';
import type { SyncAuditScheduler } from '../../domain/ports/sync-audits.ts';
import type { Logger } from '../../logger.ts';
import { ensureQueue } from './pg-boss-queue.ts';

const QUEUE = 'provisio-sync-audit';

/**
 * Cluster profile: a pg-boss schedule per product (key: the product id). pg-boss's cron pass
 * runs in one instance at a time and sends one job per occurrence, which one worker takes.
 */
export async function createPgBossAudits(options: { boss: PgBoss; logger: Logger; executes: boolean }): Promise<SyncAuditScheduler> {
  const { boss } = options;
  await ensureQueue(boss, QUEUE, { policy: 'standard', retryLimit: 0, expireInSeconds: 3600, deleteAfterSeconds: 7 * 24 * 3600 });
  const schedule: SyncAuditScheduler['set'] = async (productId, value) => {
    if (value) await boss.schedule(QUEUE, value.cron, { productId }, { tz: value.timeZone, key: productId });
    else await boss.unschedule(QUEUE, productId);
  };
  return {
    set: schedule,
    async start(audit, initial) {
      // The products' schedules, written again at each start: a product changed while no process ran keeps its own.
      for (const { productId, schedule: value } of initial) await schedule(productId, value);
      if (!options.executes) return;
      await boss.work<{ productId: string }>(QUEUE, { localConcurrency: 1 }, async ([job]) => {
        if (job) await audit(job.data.productId);
      });
    },
    async close() {
      if (options.executes) await boss.offWork(QUEUE, { wait: false }).catch(() => {});
    },
  };
}
