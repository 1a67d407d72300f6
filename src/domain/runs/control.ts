import type { Prisma, ProvisioningRun } from '#generated/prisma/client.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import { cancelQueuedRun, enqueueRun, type LifecycleDeps } from './lifecycle.ts';
import { isTerminal, LOADED_RUN_INCLUDE, type LoadedRun } from './status.ts';
import { queueOrSchedule, runTimingColumns, type RunTiming } from './schedule.ts';

export interface RunControlDeps extends LifecycleDeps {
  /** Stops a run executing in this process; false when it does not run here. */
  stopRun(runId: string, reason: string): boolean;
}

/**
 * Cancels a run. A QUEUED run is cancelled at once (nothing ran, so a provision's items go back
 * to the pool). A RUNNING one is stopped (SIGINT to its process group, SIGKILL after the grace
 * period); when it has stopped, a provision is compensated by its product's deprovision playbook.
 */
export async function cancelRun(deps: RunControlDeps, runId: string, partnerId: string | null = null): Promise<ProvisioningRun> {
  const run = (await deps.prisma.provisioningRun.findUnique({ where: { id: runId }, include: LOADED_RUN_INCLUDE })) as LoadedRun | null;
  // A partner may cancel only its own runs; another partner's run does not exist for it.
  if (!run || (partnerId && run.partnerId !== partnerId)) throw new NotFoundError('ProvisioningRun', runId);
  if (isTerminal(run.status)) throw new InvalidStateError(`run is already ${run.status}`, run.status);
  const now = new Date();
  if (!(await cancelQueuedRun(deps, run, 'cancelled before it started', now))) {
    await deps.prisma.provisioningRun.update({ where: { id: runId }, data: { cancelRequestedAt: now } });
    // Executing in another process (a worker): its executor stops it on this message, or on
    // the cancelRequestedAt flag it polls if the message is lost.
    if (!deps.stopRun(runId, 'cancelled by request')) deps.events.publish('run:cancel', { runId, reason: 'cancelled by request' });
  }
  return deps.prisma.provisioningRun.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Moves a SCHEDULED run to another time (and notAfter), or, with a notBefore that is not ahead,
 * queues it now. Only before it starts: the update is guarded by the status, so the scheduler
 * and a reschedule never both move the run.
 */
export async function rescheduleRun(deps: LifecycleDeps, runId: string, timing: RunTiming, partnerId: string | null = null): Promise<ProvisioningRun> {
  const run = await deps.prisma.provisioningRun.findUnique({ where: { id: runId }, include: { product: true } });
  if (!run || (partnerId && run.partnerId !== partnerId)) throw new NotFoundError('ProvisioningRun', runId);
  const columns = runTimingColumns(timing);
  const { count } = await deps.prisma.provisioningRun.updateMany({
    where: { id: runId, status: 'SCHEDULED' },
    data: { ...columns, ...(columns.status === 'QUEUED' ? { queuedAt: new Date() } : {}) },
  });
  if (count === 0) throw new InvalidStateError(`only a SCHEDULED run can be rescheduled; this one is ${run.status}`, run.status);
  const moved = await deps.prisma.provisioningRun.findUniqueOrThrow({ where: { id: runId } });
  await queueOrSchedule(deps, moved, run.product);
  return moved;
}

/**
 * Runs a failed step again once an operator has fixed its cause: a provision whose service
 * NEEDS_ATTENTION, or a deprovision (or compensation) that FAILED, TIMED_OUT, was CANCELED or
 * INTERRUPTED. The new run points at the one it retries.
 */
export async function retryRun(deps: LifecycleDeps, runId: string): Promise<ProvisioningRun> {
  const retry = await deps.prisma.$transaction(async (tx) => {
    const run = await tx.provisioningRun.findUnique({ where: { id: runId }, include: { service: true, product: true } });
    if (!run) throw new NotFoundError('ProvisioningRun', runId);
    if (!run.service || run.checkMode) throw new InvalidStateError('check-mode previews are not retried: start a new one', run.status);
    // An action's effect on a service is the action's own playbook to judge: the operator runs it again.
    if (run.action === 'ACTION') throw new InvalidStateError(`a failed action is not retried as such: run ${run.actionName} again once the service is fixed`, run.status);
    if (run.action === 'REDEPLOY') throw new InvalidStateError('a failed re-deploy is not retried as such: re-deploy the service again once its cause is fixed', run.status);
    await tx.$queryRawUnsafe('SELECT id FROM "Service" WHERE id = $1::uuid FOR UPDATE', run.service.id);
    const newer = await tx.provisioningRun.findFirst({
      where: { serviceId: run.service.id, checkMode: false, queuedAt: { gt: run.queuedAt } },
      select: { id: true },
    });
    if (newer) throw new InvalidStateError('only the latest run of a service can be retried', run.status);
    const service = await tx.service.findUniqueOrThrow({ where: { id: run.service.id } });
    if (service.status !== 'NEEDS_ATTENTION') {
      throw new InvalidStateError(`only runs of a service that NEEDS_ATTENTION are retried; this one is ${service.status}`, service.status);
    }
    if (run.action === 'DEPROVISION' && !['FAILED', 'TIMED_OUT', 'CANCELED', 'INTERRUPTED'].includes(run.status)) {
      throw new InvalidStateError(`a ${run.status} deprovision is not retried`, run.status);
    }
    // The items go back to being held by a run: a provision or a compensation reserves them again.
    const itemStatus = run.action === 'PROVISION' || run.compensatesRunId ? 'RESERVED' : 'IN_USE';
    await tx.inventoryItem.updateMany({ where: { serviceId: service.id }, data: { status: itemStatus, statusReason: `held by a retry of run ${run.id}` } });
    // A provision is retried with the product as it is now (the fix may be a new revision): the service takes that revision.
    const reprovision = run.action === 'PROVISION';
    await tx.service.update({
      where: { id: service.id },
      data: {
        status: reprovision || run.compensatesRunId ? 'PROVISIONING' : 'DEPROVISIONING',
        statusReason: `retrying run ${run.id}`,
        ...(reprovision ? { productRevision: run.product.revision } : {}),
      },
    });
    return tx.provisioningRun.create({
      data: {
        productId: run.productId,
        serviceId: service.id,
        partnerId: service.partnerId,
        action: run.action,
        playbook: reprovision ? run.product.provisionPlaybook : run.product.deprovisionPlaybook,
        productRevision: reprovision ? run.product.revision : null,
        timeoutSeconds: run.product.runTimeoutSeconds ?? run.timeoutSeconds,
        retryOfRunId: run.id,
        compensatesRunId: run.compensatesRunId,
        serviceStatusBefore: run.serviceStatusBefore,
      },
      include: { product: true },
    });
  });
  await enqueueRun(deps, retry, retry.product);
  const { product: _product, ...plain } = retry;
  return plain;
}

export interface PruneResult {
  runs: number;
  events: number;
  /** Sent or failed webhook deliveries of the same age (pending ones stay). */
  webhookDeliveries: number;
}

/** Deletes the events and logs of runs that finished before the cutoff; their summary and stats stay. */
export async function pruneRunHistory(deps: Pick<LifecycleDeps, 'prisma' | 'logger'>, olderThanDays: number): Promise<PruneResult> {
  if (!Number.isFinite(olderThanDays) || olderThanDays < 0) {
    throw new ValidationError([{ path: 'olderThanDays', message: 'must be a number of days, 0 or more' }]);
  }
  const cutoff = new Date(Date.now() - olderThanDays * 86_400_000);
  const result: PruneResult = { runs: 0, events: 0, webhookDeliveries: 0 };
  for (;;) {
    const batch = await deps.prisma.provisioningRun.findMany({
      where: { finishedAt: { lt: cutoff }, eventsPrunedAt: null },
      select: { id: true },
      take: 500,
    });
    if (batch.length === 0) break;
    const ids = batch.map((run) => run.id);
    const [deleted] = await deps.prisma.$transaction([
      deps.prisma.runEvent.deleteMany({ where: { runId: { in: ids } } }),
      deps.prisma.provisioningRun.updateMany({ where: { id: { in: ids } }, data: { log: '', eventsPrunedAt: new Date() } as Prisma.ProvisioningRunUpdateManyMutationInput }),
    ]);
    result.runs += ids.length;
    result.events += deleted.count;
  }
  const { count } = await deps.prisma.webhookDelivery.deleteMany({ where: { createdAt: { lt: cutoff }, status: { not: 'PENDING' } } });
  result.webhookDeliveries = count;
  if (result.runs || count) deps.logger.info({ ...result, olderThanDays }, 'pruned run history');
  return result;
}
