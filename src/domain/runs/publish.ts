import type { RunStatus } from '#generated/prisma/enums.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { EventRecord } from '../ports/run-event-store.ts';
import { isTerminal } from './status.ts';

// What the run subsystem tells subscribers, always after the database has it (invariant 3): a
// run's committed events, and its status with the last seq committed.

export function publishRunEvents(events: EventBus, runId: string, records: readonly EventRecord[]): void {
  for (const record of records) events.publish('run:event', runId, { runId, ...record });
}

/** A terminal status is the last message of the run: streams end on it. */
export function publishRunStatus(events: EventBus, runId: string, status: RunStatus, lastSeq: number): void {
  const message = { runId, status, lastSeq, terminal: isTerminal(status) };
  events.publish('run:updated', runId, message);
  events.publish('run:status', message);
}
