import type { Logger } from '../../logger.ts';
import { untilDatabaseAnswers } from '../../domain/database-outage.ts';
import { NO_METRICS, type RunMetrics } from '../../domain/ports/metrics.ts';
import type { EventRecord, RunEventStore, RunState } from '../../domain/ports/run-event-store.ts';
import type { SqlStatements } from './sql-statements.ts';

interface Pending {
  runId: string;
  events: readonly EventRecord[];
  run: RunState;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the events of every run of this process are written together, one transaction
 * per turn carrying every run's pending events and one update of each run's row. While a commit
 * is in flight the next batches gather, so under load a commit carries many runs' events and a
 * lone live event still goes out at once. A failed group is retried run by run, so one bad run
 * does not fail the others. While the database is away a commit is retried until it answers:
 * the runs' events wait (and their playbooks, past the recorders' high-water mark), none is lost.
 */
export class GroupCommitEventStore implements RunEventStore {
  private readonly sql: SqlStatements;
  private readonly metrics: RunMetrics;
  private readonly windowMs: number;
  private readonly logger: Logger | undefined;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  /** Ends the current window early. */
  private endWindow: (() => void) | undefined;
  /** When the last commit returned (performance.now()). */
  private lastCommitEnd = Number.NEGATIVE_INFINITY;

  /** `windowMs`: how long the first event of a commit waits for others (0: the current turn only). */
  constructor(sql: SqlStatements, metrics: RunMetrics = NO_METRICS, options: { windowMs?: number; logger?: Logger } = {}) {
    this.sql = sql;
    this.metrics = metrics;
    this.windowMs = options.windowMs ?? 0;
    this.logger = options.logger;
  }

  /** `urgent` ends the current window: the commit goes now. */
  write(runId: string, events: readonly EventRecord[], run: RunState, options: { urgent?: boolean } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ runId, events, run, resolve, reject });
      this.writing ??= this.drain();
      if (options.urgent) this.endWindow?.();
    });
  }

  private async drain(): Promise<void> {
    try {
      // Let the events of this turn (several runs' reads from their runners), or of the window,
      // join the first commit.
      await this.window();
      while (this.queue.length) {
        const group = this.queue.splice(0);
        try {
          await this.commitThroughOutages(group);
          for (const entry of group) entry.resolve();
        } catch (error) {
          if (group.length === 1) group[0]!.reject(error);
          else for (const entry of group) await this.commitThroughOutages([entry]).then(entry.resolve, entry.reject);
        }
      }
    } finally {
      // In the same turn as the last look at the queue: a write arriving after it starts a new drain.
      this.writing = undefined;
    }
  }

  /**
   * The wait before a commit. Only after a quiet spell: a trickle of live events (a task's start
   * and its host's start, a moment apart) then shares a commit. While commits follow each other
   * (a flood, many runs) the next one goes as soon as the previous returned: waiting would only
   * slow down the runs whose recorders wait for their previous batch.
   */
  private window(): Promise<void> {
    if (this.windowMs === 0 || performance.now() - this.lastCommitEnd < this.windowMs) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.endWindow = undefined;
        resolve();
      };
      const timer = setTimeout(end, this.windowMs);
      this.endWindow = end;
    });
  }

  /** One statement commits a group or nothing of it: after a lost connection it is repeated whole. */
  private commitThroughOutages(group: Pending[]): Promise<void> {
    return untilDatabaseAnswers(() => this.commit(group), { what: 'writing run events', logger: this.logger });
  }

  private async commit(group: Pending[]): Promise<void> {
    const started = performance.now();
    const events = group.flatMap((entry) => entry.events.map((event) => ({ ...event, runId: entry.runId })));
    // A run with two batches in one group: its last state wins.
    const runs = [...new Map(group.map((entry) => [entry.runId, { id: entry.runId, ...entry.run }])).values()];
    const [sql, params] = events.length <= VALUES_LIMIT ? valuesStatement(events, runs) : jsonStatement(events, runs);
    try {
      // Prepared: the texts that recur (one run's few events, and the batch form); a few events
      // of several runs take too many shapes.
      await this.sql.execute(sql, params, { prepared: runs.length === 1 || events.length > VALUES_LIMIT });
    } finally {
      this.lastCommitEnd = performance.now();
    }
    this.metrics.eventsCommitted(events.length, (performance.now() - started) / 1000);
  }
}

type EventRow = EventRecord & { runId: string };
type RunRow = RunState & { id: string };

// One statement per commit (atomic on its own): no BEGIN/COMMIT round trips, which cost more than
// the rows for the one or two events a live run produces at a time. The insert is a
// data-modifying CTE, run by PostgreSQL with the update in the same statement. Progress is
// written once a task started (tasksStarted present), as the run's row had it before.
//
// Two shapes of the same statement (measured in bench/ingest): a few events go as parameters
// (half the CPU of expanding JSON for a lone live event); a batch goes as one JSON parameter per
// table, expanded by jsonb_to_recordset (binding every column of hundreds of rows costs more).
const VALUES_LIMIT = 20;

const EVENT_COLUMNS = `"runId", seq, type, task, host, section, changed, data, "createdAt"`;
const EVENT_TYPES = ['uuid', 'int', 'text', 'text', 'text', 'text', 'boolean', 'jsonb', 'timestamptz'];
const RUN_COLUMNS = `id, "lastSeq", "okCount", "changedCount", "failedCount", "skippedCount", "rescuedCount", "unreachableCount", "tasksStarted", "currentTask", "currentHost"`;
const RUN_TYPES = ['uuid', 'int', 'int', 'int', 'int', 'int', 'int', 'int', 'int', 'text', 'text'];

/** Sets a run's row from its state; `value` names where a column's new value comes from. */
function updateRuns(value: (column: string) => string): string {
  const counters = RUN_COLUMNS.split(', ').slice(1, 8).map((column) => `${column} = ${value(column)}`);
  const started = value('"tasksStarted"');
  return `UPDATE "ProvisioningRun" AS run SET ${counters.join(', ')},
    "tasksStarted" = coalesce(${started}, run."tasksStarted"),
    "currentTask" = CASE WHEN ${started} IS NULL THEN run."currentTask" ELSE ${value('"currentTask"')} END,
    "currentHost" = CASE WHEN ${started} IS NULL THEN run."currentHost" ELSE ${value('"currentHost"')} END,
    "updatedAt" = now()`;
}

function jsonStatement(events: EventRow[], runs: RunRow[]): [string, unknown[]] {
  const sql = `
    WITH inserted AS (
      INSERT INTO "RunEvent" (${EVENT_COLUMNS})
      SELECT e."runId", e.seq, e.type, e.task, e.host, e.section, e.changed, coalesce(e.data, '{}'::jsonb), e."createdAt"
      FROM jsonb_to_recordset($1::jsonb) AS e(${typedColumns(EVENT_COLUMNS, EVENT_TYPES)})
    )
    ${updateRuns((column) => `r.${column}`)}
    FROM jsonb_to_recordset($2::jsonb) AS r(${typedColumns(RUN_COLUMNS, RUN_TYPES)})
    WHERE run.id = r.id`;
  return [sql, [JSON.stringify(events), JSON.stringify(runs)]];
}

function valuesStatement(events: EventRow[], runs: RunRow[]): [string, unknown[]] {
  const params: unknown[] = [];
  const param = (value: unknown, type?: string) => `$${params.push(value)}${type ? `::${type}` : ''}`;
  // The insert's parameters take their types from the columns.
  const eventRows = events.map((e) => `(${[e.runId, e.seq, e.type, e.task, e.host, e.section, e.changed, JSON.stringify(e.data ?? {}), e.createdAt].map((v) => param(v)).join(', ')})`);
  const runValues = (r: RunRow) => [r.id, r.lastSeq, r.okCount, r.changedCount, r.failedCount, r.skippedCount, r.rescuedCount, r.unreachableCount, r.tasksStarted ?? null, r.currentTask ?? null, r.currentHost ?? null];
  const insert = `WITH inserted AS (INSERT INTO "RunEvent" (${EVENT_COLUMNS}) VALUES ${eventRows.join(', ')})`;
  const columns = RUN_COLUMNS.split(', ');
  if (runs.length === 1) {
    // One run (a live run's event): a plain update by id plans cheaper than a join.
    const placeholders = new Map(runValues(runs[0]!).map((value, i) => [columns[i]!, param(value, RUN_TYPES[i])]));
    return [`${insert} ${updateRuns((column) => placeholders.get(column)!)} WHERE run.id = ${placeholders.get('id')!}`, params];
  }
  const runRows = runs.map((r) => `(${runValues(r).map((value, i) => param(value, RUN_TYPES[i])).join(', ')})`);
  return [`${insert} ${updateRuns((column) => `r.${column}`)} FROM (VALUES ${runRows.join(', ')}) AS r(${RUN_COLUMNS}) WHERE run.id = r.id`, params];
}

function typedColumns(columns: string, types: string[]): string {
  return columns.split(', ').map((column, i) => `${column} ${types[i]}`).join(', ');
}
