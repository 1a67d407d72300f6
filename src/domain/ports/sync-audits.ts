/** When a product's services are audited: a cron expression in an IANA time zone. */
export interface SyncSchedule {
  cron: string;
  /** An IANA time zone (Europe/Berlin); UTC when left out. */
  timeZone: string;
}

/**
 * Runs products' sync audits at their times: timers in process (embedded), pg-boss schedules on
 * the cluster (once per occurrence across every instance, executed by one worker).
 */
export interface SyncAuditScheduler {
  /** Sets a product's schedule, or with null removes it. */
  set(productId: string, schedule: SyncSchedule | null): Promise<void>;
  /** Starts calling `audit` at each scheduled time (where audits execute), from these schedules on. */
  start(audit: (productId: string) => Promise<void>, schedules: ReadonlyArray<{ productId: string; schedule: SyncSchedule }>): Promise<void>;
  close(): Promise<void>;
}
