import type { Prisma } from '#generated/prisma/client.ts';
import type { RunStatus } from '#generated/prisma/enums.ts';
import { apiId, type Notification } from '../webhooks/index.ts';
import type { LoadedRun, Verdict } from './status.ts';

/** Ends a receiver is told about as failures (a cancel was asked for, so it is not one; an expired schedule broke a promise, so it is). */
const FAILURES: ReadonlySet<RunStatus> = new Set(['FAILED', 'ROLLED_BACK', 'TIMED_OUT', 'INTERRUPTED', 'EXPIRED']);

/**
 * What a run's end means for webhooks, read inside its finishing transaction after the service
 * and its items were updated: the run finished (and failed), its service came to need attention,
 * items were quarantined.
 */
export async function runEndNotifications(tx: Prisma.TransactionClient, run: LoadedRun, verdict: Verdict): Promise<Notification[]> {
  const summary = {
    id: apiId('ProvisioningRun', run.id),
    action: run.action,
    actionName: run.actionName,
    status: verdict.status,
    reason: verdict.reason,
    checkMode: run.checkMode,
    product: { id: apiId('Product', run.productId), slug: run.product.slug },
    serviceId: run.serviceId && apiId('Service', run.serviceId),
    compensatesRunId: run.compensatesRunId && apiId('ProvisioningRun', run.compensatesRunId),
    retryOfRunId: run.retryOfRunId && apiId('ProvisioningRun', run.retryOfRunId),
    queuedAt: run.queuedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: new Date().toISOString(),
  };
  const notifications: Notification[] = [{ event: 'RUN_FINISHED', data: { run: summary } }];
  if (FAILURES.has(verdict.status)) notifications.push({ event: 'RUN_FAILED', data: { run: summary } });
  if (run.action === 'CHECK_SYNC' && run.service) {
    const service = await tx.service.findUniqueOrThrow({ where: { id: run.service.id }, select: { customerRef: true, status: true, syncState: true, syncRunId: true } });
    // Newly drifted only: a service that stays drifted check after check is told once.
    if (service.syncRunId === run.id && service.syncState === 'DRIFTED' && run.service.syncState !== 'DRIFTED') {
      const { syncRunId: _syncRunId, ...shown } = service;
      notifications.push({ event: 'SERVICE_DRIFTED', data: { service: { id: apiId('Service', run.service.id), ...shown, product: summary.product }, run: summary } });
    }
  }
  if (!run.service || run.checkMode) return notifications;

  const service = await tx.service.findUniqueOrThrow({ where: { id: run.service.id }, select: { customerRef: true, status: true, statusReason: true } });
  const serviceData = { id: apiId('Service', run.service.id), ...service, product: summary.product };
  if (service.status === 'NEEDS_ATTENTION' && run.service.status !== 'NEEDS_ATTENTION') {
    notifications.push({ event: 'SERVICE_NEEDS_ATTENTION', data: { service: serviceData, run: summary } });
  }
  const heldBefore = new Map(run.service.inventoryItems.map((item) => [item.id, item.status]));
  const candidates = [...heldBefore.keys(), ...(run.actionReservedItemIds ?? [])];
  if (candidates.length === 0) return notifications;
  const quarantined = await tx.inventoryItem.findMany({
    where: { id: { in: candidates }, status: 'QUARANTINED' },
    select: { id: true, kind: true, identifier: true, statusReason: true },
  });
  for (const item of quarantined) {
    if (heldBefore.get(item.id) === 'QUARANTINED') continue;
    notifications.push({ event: 'ITEM_QUARANTINED', data: { item: { ...item, id: apiId('InventoryItem', item.id) }, service: serviceData, run: summary } });
  }
  return notifications;
}
