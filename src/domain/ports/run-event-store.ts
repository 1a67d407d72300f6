import type { RunEventMessage } from './event-bus.ts';

// Where a run's events are kept: the domain numbers, counts and publishes them; infra/db writes
// them, with the run's counters, in one group commit per turn.

/** One run event as written and published, without its run: the one shape from recorder to subscriber. */
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

export interface RunEventStore {
  /**
   * Resolves when the events and the run's state are committed, together or not at all; waits
   * through a database outage rather than lose them. `urgent`: somebody waits for it (a run's
   * end, a cancel), so the commit does not wait for other runs' events to join it.
   */
  write(runId: string, events: readonly EventRecord[], state: RunState, options?: { urgent?: boolean }): Promise<void>;
}
