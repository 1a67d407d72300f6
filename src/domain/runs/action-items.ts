import type { InventoryItem, Prisma, ProvisioningRun } from '#generated/prisma/client.ts';
import type { InventoryKind } from '#generated/prisma/enums.ts';
import type { ActionTransition } from '../catalog/index.ts';

// The items an ACTION run reserved or releases (recorded on the run when it was queued).

type Tx = Prisma.TransactionClient;

/**
 * Ids of the items actions added to the service (reserved by an action that succeeded), in the
 * order they were added. The service's other items are the ones it was provisioned with.
 */
export async function addedItemIds(db: Pick<Tx, 'provisioningRun'>, serviceId: string): Promise<string[]> {
  const runs = await db.provisioningRun.findMany({
    where: { serviceId, action: 'ACTION', status: 'SUCCEEDED', NOT: { actionReservedItemIds: { isEmpty: true } } },
    orderBy: { finishedAt: 'asc' },
    select: { actionReservedItemIds: true },
  });
  return runs.flatMap((run) => run.actionReservedItemIds);
}

/**
 * At the action run's end, in finishRun's transaction: its reserved and released items go where
 * the transition says. Guarded by status, so an operator's change in between (retiring, releasing)
 * is not overwritten.
 */
export async function settleActionInventory(
  tx: Tx,
  run: Pick<ProvisioningRun, 'actionName' | 'actionReservedItemIds' | 'actionReleasedItemIds'> & { serviceId: string },
  transition: Pick<ActionTransition, 'reserved' | 'released'>,
  verdict: { status: string },
): Promise<void> {
  const statusReason = `action ${run.actionName ?? '?'} ${verdict.status}`;
  const moves = [
    { ids: run.actionReservedItemIds, from: 'RESERVED' as const, to: transition.reserved },
    { ids: run.actionReleasedItemIds, from: 'IN_USE' as const, to: transition.released },
  ];
  for (const { ids, from, to } of moves) {
    if (ids.length === 0 || from === to) continue;
    await tx.inventoryItem.updateMany({
      where: { id: { in: ids }, serviceId: run.serviceId, status: from },
      // Freed items leave the service; quarantined and in-use ones stay linked to it.
      data: { status: to, statusReason, ...(to === 'AVAILABLE' ? { serviceId: null } : {}) },
    });
  }
}

/** Kinds of the items an action run reserved or released, whose pool counts its end changes. */
export function actionItemKinds(run: Pick<ProvisioningRun, 'actionReservedItemIds' | 'actionReleasedItemIds'>, serviceItems: InventoryItem[]): Set<InventoryKind> {
  const ids = new Set([...run.actionReservedItemIds, ...run.actionReleasedItemIds]);
  return new Set(serviceItems.filter((item) => ids.has(item.id)).map((item) => item.kind));
}
