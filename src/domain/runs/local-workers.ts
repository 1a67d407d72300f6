import type { PrismaClient } from '#generated/prisma/client.ts';
import { hasProcessEnded, hostIdentity, processStartedAt } from '../../runner/index.ts';
import type { LifecycleDeps } from './lifecycle.ts';
import { interruptOrphanedRuns } from './recovery.ts';

/**
 * Records on this process's Worker row the pid space it runs in and its process's start, so that
 * a process in the same pid space (its restart on the same host) can tell at once whether it
 * still runs. Nothing off Linux: there only the heartbeats tell.
 */
export async function recordProcessIdentity(prisma: PrismaClient, workerId: string): Promise<void> {
  const identity = hostIdentity();
  const startedAt = processStartedAt(process.pid);
  if (!identity || !startedAt) return;
  await prisma.worker.updateMany({ where: { id: workerId }, data: { hostIdentity: identity, processStartedAt: startedAt } });
}

/**
 * Ids of the workers owning RUNNING runs that ran in this pid space and whose process has ended:
 * the pid is gone, a zombie, or another process's (its start differs). A worker still running
 * here is never among them, however late its heartbeats; one elsewhere (another host, another
 * container) never is either: the heartbeats judge those.
 */
export async function endedLocalWorkerIds(prisma: PrismaClient): Promise<Set<string>> {
  const identity = hostIdentity();
  if (!identity) return new Set();
  const owners = await prisma.provisioningRun.findMany({ where: { status: 'RUNNING', workerId: { not: null } }, distinct: ['workerId'], select: { workerId: true } });
  if (owners.length === 0) return new Set();
  const local = await prisma.worker.findMany({
    where: { id: { in: owners.map((run) => run.workerId!) }, hostIdentity: identity, processStartedAt: { not: null }, stoppedAt: null },
    select: { id: true, pid: true, processStartedAt: true },
  });
  return new Set(local.filter((worker) => hasProcessEnded(worker.pid, worker.processStartedAt!)).map((worker) => worker.id));
}

/**
 * At start on PostgreSQL: the runs of a process of this pid space that ended (the one this
 * process restarts) are INTERRUPTED and compensated now, not after three missed heartbeats.
 */
export async function interruptRunsOfEndedLocalWorkers(deps: LifecycleDeps & { workerId: string }): Promise<number> {
  const ended = await endedLocalWorkerIds(deps.prisma);
  if (ended.size === 0) return 0;
  return interruptOrphanedRuns(deps, (owner) => owner !== null && owner !== deps.workerId && ended.has(owner));
}
