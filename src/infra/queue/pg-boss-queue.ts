import { PgBoss } from 'pg-boss';
import type { RunQueue } from '../../domain/ports/run-queue.ts';
import type { Logger } from '../../logger.ts';

const QUEUE = 'provisio-run';
/** pg-boss's ceiling for a job's expiry; a run may last longer (its own timeout, up to 7 days) and is then no longer counted against its product's limit. */
const EXPIRE_SECONDS = 24 * 3600;
/** A dead worker's job stops counting against its product's limit after this (the run itself is recovered through Provisio's own heartbeats). */
const JOB_HEARTBEAT_SECONDS = 30;
/** A limit (a product's maxConcurrentRuns, a target host's or group's) is one of 1..1000: each is a pg-boss group tier of that name. */
const GROUP_TIERS = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [String(index + 1), index + 1]));

/** pg-boss errors are logged one line per this long, with the number of the others. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/** One pg-boss per process, shared by the run and webhook queues (one connection pool). */
export async function openPgBoss(connectionString: string, logger: Logger): Promise<PgBoss> {
  // The cron pass (products' sync audits) every 5 s, claimed by one instance at a time: an audit
  // starts within seconds of its time, not up to pg-boss's default 30 s late.
  const boss = new PgBoss({ connectionString, schema: 'pgboss', max: 4, application_name: 'provisio-queue', cronMonitorIntervalSeconds: 5 });
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  boss.on('error', (error: unknown) => {
    // While the database is away every polling loop reports it, several times a second.
    if (performance.now() - lastLoggedAt < ERROR_LOG_INTERVAL_MS) {
      unlogged++;
      return;
    }
    logger.warn({ err: error, alsoSinceLastLine: unlogged }, 'queue (pg-boss) error');
    lastLoggedAt = performance.now();
    unlogged = 0;
  });
  await boss.start();
  return boss;
}

/** Creates a queue unless it exists; another process may create it at the same moment. */
export async function ensureQueue(boss: PgBoss, name: string, options: Parameters<PgBoss['createQueue']>[1]): Promise<void> {
  if (await boss.getQueue(name)) return;
  await boss.createQueue(name, options).catch(async (error: unknown) => {
    if (!(await boss.getQueue(name))) throw error;
  });
}

export interface PgBossQueueOptions {
  boss: PgBoss;
  logger: Logger;
  /** Runs this process executes at once (a worker); 0: this process only enqueues (an API instance). */
  concurrency: number;
  onError: (runId: string, error: unknown) => void;
}

/**
 * Cluster profile: runs are scheduled through pg-boss in the same PostgreSQL database. A job
 * carries only the run id; the queue's `short` policy with the run id as singleton key keeps at
 * most one waiting job per run, so queueing a run again (after a crash) is safe. The run's state
 * stays in Provisio's tables, and the executor's claim (QUEUED → RUNNING) makes sure a retried or
 * duplicated job never runs a playbook twice. A pg-boss group per limit keeps workers from
 * fetching runs of a product (or an element) at its limit (the executor's claim enforces every
 * limit exactly: concurrent fetches can overshoot); `concurrency` is per worker.
 */
export async function createPgBossRunQueue(options: PgBossQueueOptions): Promise<RunQueue> {
  const { boss } = options;
  await ensureQueue(boss, QUEUE, { policy: 'short', retryLimit: 0, expireInSeconds: EXPIRE_SECONDS, heartbeatSeconds: JOB_HEARTBEAT_SECONDS, deleteAfterSeconds: 7 * 24 * 3600 });
  const active = new Set<Promise<void>>();
  let closed = false;

  return {
    async enqueue(runIds, { limits = [] } = {}) {
      // A job has one pg-boss group: the run's tightest limit (the claim checks all of them exactly).
      const tightest = [...limits].sort((a, b) => a.limit - b.limit)[0];
      const group = tightest ? { group: { id: tightest.key, tier: String(tightest.limit) } } : {};
      // Also while closing: a compensation queued by a run that is finishing must reach a worker.
      // One statement for many runs (an order's items); the singleton key skips a run already waiting.
      if (runIds.length === 1) await boss.send(QUEUE, { runId: runIds[0] }, { singletonKey: runIds[0], ...group });
      else if (runIds.length > 1) await boss.insert(QUEUE, runIds.map((runId) => ({ data: { runId }, singletonKey: runId, ...group })));
    },
    // A cancelled run's job is skipped by the claim (the run is no longer QUEUED).
    remove: async () => {},
    position: () => undefined,
    start(handler) {
      if (options.concurrency === 0) return;
      void boss.work<{ runId: string }>(
        QUEUE,
        { localConcurrency: options.concurrency, groupConcurrency: { default: 1000, tiers: GROUP_TIERS }, pollingIntervalSeconds: 0.5 },
        async ([job]) => {
          if (!job || closed) return;
          const task = handler(job.data.runId).catch((error: unknown) => options.onError(job.data.runId, error));
          active.add(task);
          await task.finally(() => active.delete(task));
        },
      ).catch((error: unknown) => options.logger.error({ err: error }, 'the run queue (pg-boss) did not start its workers'));
    },
    async close() {
      closed = true;
      if (options.concurrency > 0) await boss.offWork(QUEUE, { wait: false }).catch(() => {});
      await Promise.allSettled([...active]);
    },
  };
}
