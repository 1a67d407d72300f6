import type { PrismaClient, RunEvent } from '#generated/prisma/client.ts';
import type { EventBus, RunEventMessage, RunUpdatedMessage } from '../ports/event-bus.ts';
import { untilDatabaseAnswers } from '../database-outage.ts';
import { NotFoundError } from '../errors.ts';
import { isTerminal } from './status.ts';

export interface StreamDeps {
  prisma: PrismaClient;
  events: EventBus;
}

/**
 * How long a stream waits on a quiet live channel before it checks the database itself: for a
 * message the bus lost, or a run that ended without one reaching this process. An in-process bus
 * loses nothing, so there the check only bounds the wait should a message never be sent.
 */
const IDLE_CHECK_MS = { lossy: 1_000, lossless: 5_000 };
const idleCheckMs = (events: EventBus) => (events.lossless ? IDLE_CHECK_MS.lossless : IDLE_CHECK_MS.lossy);
/** A subscriber of runUpdated gets at most one update per this many ms (the terminal one at once). */
const COALESCE_MS = 50;
const PAGE = 500;

type Live = { kind: 'event'; message: RunEventMessage } | { kind: 'update'; message: RunUpdatedMessage } | { kind: 'overflow' };

/**
 * Live messages a subscriber has not taken yet, at most. A stalled subscriber of a long run would
 * otherwise grow without bound; past this the buffer is dropped and the stream reads the missed
 * events from the database, as after any gap.
 */
export const MAX_LIVE_BUFFER = 2_000;

/**
 * A run's events after `afterSeq`: the stored ones, then live ones, each exactly once and in
 * order (invariant 4), ending after the run's last event once the run is finished.
 *
 * It listens before it reads the database, so nothing published meanwhile is missed; live
 * events it has already read are skipped, and a gap (an event published before the listener
 * was ready, or lost by a cluster event bus) is filled from the database. If the live channel
 * stays quiet it checks the database anyway, so a lost terminal message cannot hang it.
 */
export async function* streamRunEvents(deps: StreamDeps, runId: string, afterSeq: number): AsyncGenerator<RunEventMessage> {
  const live = listen(deps.events, runId);
  try {
    let delivered = Math.max(0, afterSeq);
    for (;;) {
      // Status first: if the run had finished, every event it will ever have is already stored
      // (the terminal status is committed after the last event), so the catch-up below is complete.
      // lastSeq is committed in the same statement as the events: when it is not ahead of what
      // was delivered, nothing newer is stored, and a quiet run's check costs one row.
      const run = await throughOutages(() => deps.prisma.provisioningRun.findUnique({ where: { id: runId }, select: { status: true, lastSeq: true } }));
      if (!run) throw new NotFoundError('ProvisioningRun', runId);
      while (run.lastSeq > delivered) {
        const after = delivered;
        const stored = await throughOutages(() => deps.prisma.runEvent.findMany({ where: { runId, seq: { gt: after } }, orderBy: { seq: 'asc' }, take: PAGE }));
        for (const event of stored) {
          yield messageOf(event);
          delivered = event.seq;
        }
        if (stored.length < PAGE) break;
      }
      // Finished runs end here, also when retention pruned their events.
      if (isTerminal(run.status)) return;
      // Then follow the live channel until it shows a gap, the end, or goes quiet.
      for (;;) {
        const next = await live.next(idleCheckMs(deps.events));
        if (!next) break; // quiet: re-check the database
        if (next.kind === 'overflow') break; // dropped: read them from the database
        if (next.kind === 'update') {
          // A batch's update can arrive before its events, which are already on their way here:
          // only the end sends us to the database. Lost events show as a gap or a quiet channel.
          if (next.message.terminal) break;
          continue;
        }
        const { message } = next;
        if (message.seq <= delivered) continue;
        if (message.seq > delivered + 1) break; // gap: read it from the database
        yield message;
        delivered = message.seq;
      }
    }
  } finally {
    live.close();
  }
}

/**
 * Status updates of a run, from its current state to its terminal one. The published updates
 * carry the state, so a subscriber reads the database only at the start and after a quiet
 * second (a lost message); a burst of updates is coalesced into its latest (at most one per
 * COALESCE_MS), the terminal one goes out at once.
 */
export async function* streamRunUpdates(deps: StreamDeps, runId: string): AsyncGenerator<RunUpdatedMessage> {
  const live = listen(deps.events, runId);
  const read = async (): Promise<RunUpdatedMessage> => {
    const run = await throughOutages(() => deps.prisma.provisioningRun.findUnique({ where: { id: runId }, select: { status: true, lastSeq: true } }));
    if (!run) throw new NotFoundError('ProvisioningRun', runId);
    return { runId, status: run.status, lastSeq: run.lastSeq, terminal: isTerminal(run.status) };
  };
  try {
    let last: RunUpdatedMessage | undefined;
    let update: RunUpdatedMessage | undefined = await read();
    for (;;) {
      if (update && (!last || update.status !== last.status || update.lastSeq !== last.lastSeq || update.terminal)) {
        last = update;
        yield update;
      }
      if (last?.terminal) return;
      let next = await live.next(idleCheckMs(deps.events));
      if (!next) {
        update = await read();
        continue;
      }
      update = undefined;
      let lost = false;
      const coalesceUntil = performance.now() + COALESCE_MS;
      while (next) {
        if (next.kind === 'update') update = next.message;
        if (next.kind === 'overflow') lost = true;
        const wait = coalesceUntil - performance.now();
        if (update?.terminal || wait <= 0) break;
        next = await live.next(wait);
      }
      if (lost && !update?.terminal) update = await read();
    }
  } finally {
    live.close();
  }
}

/**
 * A subscriber outlives a database outage: its stream waits for the database instead of ending
 * with an error, and then goes on from the last event it delivered.
 */
const throughOutages = <T>(read: () => Promise<T>) => untilDatabaseAnswers(read, { what: 'a run stream reading the database' });

/** Subscribes at once (not on first read) to a run's events and updates, buffering at most MAX_LIVE_BUFFER. */
export function listen(events: EventBus, runId: string) {
  const buffer: Live[] = [];
  let wake: (() => void) | undefined;
  const sources = [
    events.subscribe('run:event', runId),
    events.subscribe('run:updated', runId),
  ] as const;
  const iterators = [sources[0][Symbol.asyncIterator](), sources[1][Symbol.asyncIterator]()] as const;
  const pump = async <T>(iterator: AsyncIterator<T>, wrap: (value: T) => Live) => {
    for (;;) {
      const result = await iterator.next();
      if (result.done) return;
      if (buffer.length >= MAX_LIVE_BUFFER) buffer.splice(0, buffer.length, { kind: 'overflow' });
      buffer.push(wrap(result.value));
      wake?.();
    }
  };
  void pump(iterators[0], (message) => ({ kind: 'event', message }));
  void pump(iterators[1], (message) => ({ kind: 'update', message }));
  return {
    /** The next live message, or undefined after `timeoutMs` without one. */
    async next(timeoutMs: number): Promise<Live | undefined> {
      if (buffer.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return buffer.shift();
    },
    /** Messages waiting to be taken. */
    get size() {
      return buffer.length;
    },
    close() {
      void iterators[0].return?.();
      void iterators[1].return?.();
    },
  };
}

/** A stored event in the shape it was published in: live and stored events reach a subscriber alike. */
function messageOf(event: RunEvent): RunEventMessage {
  return { ...event, createdAt: event.createdAt.toISOString() };
}
