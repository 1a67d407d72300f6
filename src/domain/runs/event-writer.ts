import type { PrismaClient } from '#generated/prisma/client.ts';
import type { RunEventMessage } from '../ports/event-bus.ts';
import { NO_METRICS, type RunMetrics } from '../ports/metrics.ts';

/** One run event as written: what is published, without its run. */
export type EventRecord = Omit<RunEventMessage, 'runId'>;

export interface RunCounters {
  okCount: number;
  changedCount: number;
  failedCount: number;
  skippedCount: number;
  rescuedCount: number;
  unreachableCount: number;
}

export interface RunProgress {
  tasksStarted: number;
  currentTask: string | null;
  currentHost: string | null;
}

/** What a run's row says after its events: the last seq, the counters and, once a task started, the progress. */
export type RunState = RunCounters & { lastSeq: number } & Partial<RunProgress>;

interface Pending {
  runId: string;
  events: EventRecord[];
  run: RunState;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the events of every run of this process are written together, one transaction
 * per turn carrying every run's pending events and one update of each run's row. While a commit
 * is in flight the next batches gather, so under load a commit carries many runs' events and a
 * lone live event still goes out at once. A failed group is retried run by run, so one bad run
 * does not fail the others.
 */
export class EventWriter {
  private readonly prisma: PrismaClient;
  private readonly metrics: RunMetrics;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;

  constructor(prisma: PrismaClient, metrics: RunMetrics = NO_METRICS) {
    this.prisma = prisma;
    this.metrics = metrics;
  }

  /** Resolves when the events and the run's state are committed. */
  write(runId: string, events: EventRecord[], run: RunState): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ runId, events, run, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      // Let the events of this turn (several runs' reads from their runners) join the first commit.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length) {
        const group = this.queue.splice(0);
        try {
          await this.commit(group);
          for (const entry of group) entry.resolve();
        } catch (error) {
          if (group.length === 1) group[0]!.reject(error);
          else for (const entry of group) await this.commit([entry]).then(entry.resolve, entry.reject);
        }
      }
    } finally {
      // In the same turn as the last look at the queue: a write arriving after it starts a new drain.
      this.writing = undefined;
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    const started = performance.now();
    const events = group.flatMap((entry) => entry.events.map((event) => ({ ...event, runId: entry.runId })));
    // A run with two batches in one group: its last state wins.
    const runs = new Map(group.map((entry) => [entry.runId, { id: entry.runId, ...entry.run }]));
    // One statement (atomic on its own): no BEGIN/COMMIT round trips, which cost more than the
    // rows for the one or two events a live run produces at a time.
    await this.prisma.$executeRawUnsafe(COMMIT_SQL, JSON.stringify(events), JSON.stringify([...runs.values()]));
    this.metrics.eventsCommitted(events.length, (performance.now() - started) / 1000);
  }
}

// One JSON parameter per table, expanded by jsonb_to_recordset: several times faster than
// createMany, which binds every column of every row (measured in bench/ingest). The insert is a
// data-modifying CTE: PostgreSQL runs it with the update, in the same statement.
// Progress is written once a task started (tasksStarted present), as the run's row had it before.
const COMMIT_SQL = `
  WITH inserted AS (
    INSERT INTO "RunEvent" ("runId", seq, type, task, host, section, changed, data, "createdAt")
    SELECT e."runId", e.seq, e.type, e.task, e.host, e.section, e.changed, coalesce(e.data, '{}'::jsonb), e."createdAt"
    FROM jsonb_to_recordset($1::jsonb)
      AS e("runId" uuid, seq int, type text, task text, host text, section text, changed boolean, data jsonb, "createdAt" timestamptz)
  )
  UPDATE "ProvisioningRun" AS run SET
    "lastSeq" = r."lastSeq", "okCount" = r."okCount", "changedCount" = r."changedCount", "failedCount" = r."failedCount",
    "skippedCount" = r."skippedCount", "rescuedCount" = r."rescuedCount", "unreachableCount" = r."unreachableCount",
    "tasksStarted" = coalesce(r."tasksStarted", run."tasksStarted"),
    "currentTask" = CASE WHEN r."tasksStarted" IS NULL THEN run."currentTask" ELSE r."currentTask" END,
    "currentHost" = CASE WHEN r."tasksStarted" IS NULL THEN run."currentHost" ELSE r."currentHost" END,
    "updatedAt" = now()
  FROM jsonb_to_recordset($2::jsonb)
    AS r(id uuid, "lastSeq" int, "okCount" int, "changedCount" int, "failedCount" int, "skippedCount" int, "rescuedCount" int,
         "unreachableCount" int, "tasksStarted" int, "currentTask" text, "currentHost" text)
  WHERE run.id = r.id`;
