import os from 'node:os';
import type { PrismaClient } from '#generated/prisma/client.ts';
import type { RunQueue } from '../ports/run-queue.ts';
import type { Logger } from '../../logger.ts';
import { isAnsibleOfRun } from '../../runner/index.ts';
import { enqueueRun, finishRun, type LifecycleDeps } from './lifecycle.ts';
import { LOADED_RUN_INCLUDE, type LoadedRun } from './status.ts';
import { hostOf } from './liveness.ts';

/**
 * Puts QUEUED runs back on the queue, oldest first: at start (the in-process queue was lost with
 * the process) and, on the cluster, now and then for runs queued longer than `queuedBefore` (a
 * crash between the commit and the queue, a worker that gave a run back while shutting down).
 */
export async function requeueWaitingRuns(prisma: PrismaClient, queue: RunQueue, queuedBefore?: Date): Promise<number> {
  const waiting = await prisma.provisioningRun.findMany({
    where: { status: 'QUEUED', ...(queuedBefore ? { queuedAt: { lt: queuedBefore } } : {}) },
    orderBy: { queuedAt: 'asc' },
    select: { id: true, productId: true, product: { select: { maxConcurrentRuns: true, targetId: true, targetHosts: true } } },
  });
  for (const run of waiting) await enqueueRun({ prisma, queue }, run, run.product);
  return waiting.length;
}

/**
 * Invariant 8: a run left RUNNING by a process that died is marked INTERRUPTED, with a terminal
 * event, and its leftover ansible process group is killed (on its own host). An interrupted
 * provision is then compensated like a cancelled one (its deprovision playbook runs), or, with
 * compensation switched off, its items are QUARANTINED and the service flagged NEEDS_ATTENTION at
 * once. `isOrphan` says whose runs these are: on the embedded profile every RUNNING run at start
 * (the data directory lock proves no other process runs), on PostgreSQL the runs of workers that
 * stopped heartbeating. Several processes may notice the same orphan: the one that moves it to
 * itself first recovers it, once.
 */
export async function interruptOrphanedRuns(deps: LifecycleDeps & { workerId: string }, isOrphan: (workerId: string | null) => boolean): Promise<number> {
  const orphans = (await deps.prisma.provisioningRun.findMany({ where: { status: 'RUNNING' }, include: LOADED_RUN_INCLUDE })) as LoadedRun[];
  let count = 0;
  for (const run of orphans) {
    if (!isOrphan(run.workerId)) continue;
    const { count: taken } = await deps.prisma.provisioningRun.updateMany({
      where: { id: run.id, status: 'RUNNING', workerId: run.workerId },
      data: { workerId: deps.workerId },
    });
    if (taken === 0) continue;
    if (run.pid && hostOf(run.workerId) === os.hostname()) killLeftoverGroup(run.pid, run.startedAt, deps.logger);
    const reason = `the process running it (${run.workerId ?? 'unknown'}) stopped before the run finished`;
    await finishRun(deps, run, { status: 'INTERRUPTED', reason }, { owner: deps.workerId });
    count++;
  }
  return count;
}

function killLeftoverGroup(pid: number, startedAt: Date | null, logger: Logger): void {
  if (!isAnsibleOfRun(pid, startedAt)) {
    logger.info({ pid }, 'the pid of an interrupted run is no longer its ansible-playbook: nothing to kill');
    return;
  }
  try {
    // ansible-playbook was started as the leader of its own process group.
    process.kill(-pid, 'SIGKILL');
    logger.warn({ pid }, 'killed a leftover ansible process group of an interrupted run');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
