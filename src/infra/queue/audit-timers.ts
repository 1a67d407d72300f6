import { auditTimes, type SyncSchedule } from '../../domain/catalog/index.ts';
import type { SyncAuditScheduler } from '../../domain/ports/sync-audits.ts';
import type { Logger } from '../../logger.ts';

/** setTimeout's ceiling: a later occurrence is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Embedded profile: one timer per scheduled product, armed for its next occurrence and again
 * after each. An occurrence missed while the process was down is not made up: the next one comes.
 */
export function createAuditTimers(logger: Logger): SyncAuditScheduler {
  const schedules = new Map<string, SyncSchedule>();
  const timers = new Map<string, NodeJS.Timeout>();
  let audit: ((productId: string) => Promise<void>) | undefined;
  let closed = false;

  function arm(productId: string): void {
    clearTimeout(timers.get(productId));
    timers.delete(productId);
    const schedule = schedules.get(productId);
    if (!schedule || !audit || closed) return;
    const [next] = auditTimes(schedule, new Date(), 1);
    const wait = next!.getTime() - Date.now();
    const timer = setTimeout(() => {
      if (wait > MAX_TIMER_MS) return arm(productId);
      audit!(productId)
        .catch((error: unknown) => logger.error({ err: error, productId }, 'a scheduled sync audit failed'))
        .finally(() => arm(productId));
    }, Math.min(Math.max(wait, 0), MAX_TIMER_MS));
    timer.unref();
    timers.set(productId, timer);
  }

  return {
    async set(productId, schedule) {
      if (schedule) schedules.set(productId, schedule);
      else schedules.delete(productId);
      arm(productId);
    },
    async start(handler, initial) {
      audit = handler;
      for (const { productId, schedule } of initial) schedules.set(productId, schedule);
      for (const productId of schedules.keys()) arm(productId);
    },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
