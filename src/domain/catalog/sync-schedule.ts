import { createRequire } from 'node:module';
import type { CronExpressionParser } from 'cron-parser';
import type { FieldIssue } from '../errors.ts';
import type { SyncSchedule } from '../ports/sync-audits.ts';

// A product's sync audit: when its services are checked against the network by themselves, as
// a cron expression (five fields, or six with seconds first) in a time zone. The same parser and
// the same time zones as pg-boss's schedules, so every profile reads an expression alike.

export type { SyncSchedule };

/** Audits closer together than this are refused: each checks every service of the product. */
export const DEFAULT_MIN_AUDIT_INTERVAL_SECONDS = 300;

const require = createRequire(import.meta.url);
let parser: typeof CronExpressionParser | undefined;
/** Loaded with the first schedule read, not with the server: cron-parser brings luxon, a cold start's cost. */
const cronParser = () => (parser ??= (require('cron-parser') as { CronExpressionParser: typeof CronExpressionParser }).CronExpressionParser);

/** The occurrences after `after`, in order. */
export function auditTimes(schedule: SyncSchedule, after: Date, count: number): Date[] {
  const expression = cronParser().parse(schedule.cron, { tz: schedule.timeZone, currentDate: after, strict: false });
  return Array.from({ length: count }, () => expression.next().toDate());
}

/** Why a schedule cannot be used (empty: it can), under `path`. */
export function scheduleIssues(schedule: SyncSchedule, path: string, minIntervalSeconds: number): FieldIssue[] {
  try {
    new Intl.DateTimeFormat('en', { timeZone: schedule.timeZone });
  } catch {
    return [{ path: `${path}.timeZone`, message: `"${schedule.timeZone}" is not an IANA time zone (e.g. Europe/Berlin, UTC)` }];
  }
  let times: Date[];
  try {
    times = auditTimes(schedule, new Date(), 20);
  } catch (error) {
    return [{ path: `${path}.cron`, message: `not a cron expression (minute hour day month weekday, or seconds first): ${(error as Error).message}` }];
  }
  const closest = Math.min(...times.slice(1).map((time, index) => (time.getTime() - times[index]!.getTime()) / 1000));
  if (closest < minIntervalSeconds) return [{ path: `${path}.cron`, message: `audits would run ${closest} s apart; at least ${minIntervalSeconds} s between two` }];
  return [];
}

/** A product's stored schedule, or null. */
export function storedSchedule(product: { syncCheckCron: string | null; syncCheckTimeZone: string | null }): SyncSchedule | null {
  return product.syncCheckCron ? { cron: product.syncCheckCron, timeZone: product.syncCheckTimeZone ?? 'UTC' } : null;
}
