import type { RunnerEvent, RunStats } from '../../runner/index.ts';
import type { EventBus } from '../ports/event-bus.ts';
import { NO_METRICS, type RunMetrics } from '../ports/metrics.ts';
import type { EventRecord, RunCounters, RunEventStore, RunProgress } from '../ports/run-event-store.ts';
import { publishRunEvents, publishRunStatus } from './publish.ts';

export const zeroCounters = (): RunCounters => ({ okCount: 0, changedCount: 0, failedCount: 0, skippedCount: 0, rescuedCount: 0, unreachableCount: 0 });

/** Above this many unpersisted events the runner waits for the database (backpressure). */
const HIGH_WATER_MARK = 2_000;
/**
 * Largest batch written in one transaction. Also bounds the burst published at once: Yoga's
 * pub/sub buffers at most 1024 undelivered messages per subscriber.
 */
const MAX_BATCH = 500;

/**
 * Turns runner events into run event records, the shape that is stored and published: numbers
 * them 1, 2, 3, … for the run, persists them in batches and publishes each only after its batch
 * committed (invariant 3). One recorder per run.
 */
export class RunEventRecorder {
  readonly counters: RunCounters = zeroCounters();
  private readonly events: EventBus;
  private readonly runId: string;
  private nextSeq: number;
  private persistedSeq: number;
  private pending: EventRecord[] = [];
  private flushing: Promise<void> | undefined;
  /** Someone awaited a flush (the run ends, a flood is held back): commits go out without the store's window. */
  private awaited = false;
  private failure: unknown;
  /** Hosts whose current block has already counted as rescued. */
  private readonly inRescue = new Set<string>();
  /** The first task failure that was not ignored: what a failed or rolled-back run's reason names. */
  firstFailure: TaskFailure | undefined;
  /** Tasks started so far and where the run is now; written with each batch once a task started. */
  readonly progress: RunProgress = { tasksStarted: 0, currentTask: null, currentHost: null };

  private readonly metrics: RunMetrics;
  private readonly store: RunEventStore;

  /** `store`: the process's group commit, shared by the recorders of all its runs. */
  constructor(store: RunEventStore, events: EventBus, runId: string, lastSeq = 0, options: { metrics?: RunMetrics } = {}) {
    this.metrics = options.metrics ?? NO_METRICS;
    this.store = store;
    this.events = events;
    this.runId = runId;
    this.nextSeq = lastSeq + 1;
    this.persistedSeq = lastSeq;
  }

  get lastSeq(): number {
    return this.persistedSeq;
  }

  /** Accepts one Ansible event; resolves at once unless too many events wait for the database. */
  record(event: RunnerEvent): Promise<void> | void {
    if (this.failure) throw this.failure;
    this.countEvent(event);
    const { type, seq: _pluginSeq, task, host, section, changed, ...data } = event as RunnerEvent & Partial<Record<'seq' | 'task' | 'host' | 'section' | 'changed', unknown>>;
    return this.push({
      type,
      task: typeof task === 'string' ? task : null,
      host: typeof host === 'string' ? host : null,
      section: typeof section === 'string' ? section : null,
      changed: typeof changed === 'boolean' ? changed : null,
      data,
    });
  }

  /** An event of Provisio's own (e.g. `run_canceled`, `run_finished`), numbered like Ansible's. */
  recordSystemEvent(type: string, data: Record<string, unknown>): Promise<void> | void {
    if (this.failure) throw this.failure;
    return this.push({ type, task: null, host: null, section: null, changed: null, data });
  }

  private push(fields: Omit<EventRecord, 'seq' | 'createdAt'>): Promise<void> | void {
    this.pending.push({ seq: this.nextSeq++, ...fields, createdAt: new Date().toISOString() });
    this.scheduleFlush();
    if (this.pending.length >= HIGH_WATER_MARK) return this.flush();
  }

  /** Resolves when every recorded event is persisted and published. */
  async flush(): Promise<void> {
    // Somebody waits: from now on this run's commits do not wait out the store's window.
    this.awaited = true;
    while (this.flushing || this.pending.length) {
      if (!this.flushing) this.scheduleFlush();
      await this.flushing;
    }
    if (this.failure) throw this.failure;
  }

  /** Replaces the live counters with Ansible's final totals. */
  applyStats(stats: RunStats): void {
    const totals = zeroCounters();
    for (const host of Object.values(stats.hosts)) {
      totals.okCount += host.ok;
      totals.changedCount += host.changed;
      totals.failedCount += host.failures;
      totals.skippedCount += host.skipped;
      totals.rescuedCount += host.rescued;
      totals.unreachableCount += host.unreachable;
    }
    Object.assign(this.counters, totals);
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      try {
        // Let the events of one read from the runner arrive before writing them as one batch.
        await new Promise((resolve) => setImmediate(resolve));
        while (this.pending.length) {
          const batch = this.pending.splice(0, MAX_BATCH);
          await this.persist(batch);
        }
      } catch (error) {
        this.failure = error;
      } finally {
        // In the same turn as the last look at `pending`: an event pushed after it schedules a
        // new flush instead of waiting, unwritten, for the next event or the end of the run.
        this.flushing = undefined;
      }
    })();
  }

  private async persist(batch: EventRecord[]): Promise<void> {
    const lastSeq = batch[batch.length - 1]!.seq;
    await this.store.write(this.runId, batch, { lastSeq, ...this.counters, ...(this.progress.tasksStarted ? this.progress : {}) }, { urgent: this.awaited });
    this.persistedSeq = lastSeq;
    publishRunEvents(this.events, this.runId, batch);
    const now = Date.now();
    for (const record of batch) {
      const emittedAt = Date.parse(String((record.data as { ts?: unknown } | null)?.ts ?? ''));
      if (Number.isFinite(emittedAt)) this.metrics.eventPublished((now - emittedAt) / 1000);
    }
    publishRunStatus(this.events, this.runId, 'RUNNING', lastSeq);
  }

  private countEvent(event: RunnerEvent | { type: string }): void {
    const host = 'host' in event && typeof event.host === 'string' ? event.host : '';
    const section = 'section' in event ? event.section : undefined;
    switch (event.type) {
      case 'task_start':
      case 'handler_task_start':
        this.progress.tasksStarted++;
        this.progress.currentTask = 'task' in event && typeof event.task === 'string' ? event.task : null;
        this.progress.currentHost = null;
        break;
      case 'runner_start':
        this.progress.currentHost = host || null;
        break;
      case 'runner_ok':
        this.counters.okCount++;
        if ('changed' in event && event.changed) this.counters.changedCount++;
        break;
      case 'runner_failed':
        if (!('ignoreErrors' in event && event.ignoreErrors)) {
          this.counters.failedCount++;
          this.firstFailure ??= failureOf(event, false);
        }
        break;
      case 'runner_skipped':
        this.counters.skippedCount++;
        break;
      case 'runner_unreachable':
        this.counters.unreachableCount++;
        this.firstFailure ??= failureOf(event, true);
        break;
      default:
        break;
    }
    if (event.type.startsWith('runner_') && event.type !== 'runner_start') {
      // A host entering a rescue section counts once per rescue, as Ansible's own "rescued" does.
      if (section === 'rescue' && !this.inRescue.has(host)) {
        this.inRescue.add(host);
        this.counters.rescuedCount++;
      } else if (section !== 'rescue') {
        this.inRescue.delete(host);
      }
    }
  }
}

export interface TaskFailure {
  task: string;
  host: string;
  /** Ansible's message (already masked), shortened. */
  message: string;
  unreachable: boolean;
}

const MAX_REASON_MESSAGE = 300;

function failureOf(event: RunnerEvent | { type: string }, unreachable: boolean): TaskFailure {
  const fields = event as { task?: unknown; host?: unknown; result?: { msg?: unknown; stderr?: unknown } };
  const message = [fields.result?.msg, fields.result?.stderr].find((value) => typeof value === 'string' && value.trim()) as string | undefined;
  return {
    task: typeof fields.task === 'string' ? fields.task : '(unnamed task)',
    host: typeof fields.host === 'string' ? fields.host : '(unknown host)',
    message: (message ?? 'no message').trim().replace(/\s+/g, ' ').slice(0, MAX_REASON_MESSAGE),
    unreachable,
  };
}

/** "task "X" failed on host Y: message", or the unreachable form. */
export function describeFailure(failure: TaskFailure): string {
  return failure.unreachable
    ? `host ${failure.host} was unreachable in task "${failure.task}": ${failure.message}`
    : `task "${failure.task}" failed on host ${failure.host}: ${failure.message}`;
}
