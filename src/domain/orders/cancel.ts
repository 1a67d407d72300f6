import type { ServiceOrderCancellation } from '#generated/prisma/client.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import { ACTIVE_RUN_STATUSES, cancelRun } from '../runs/index.ts';
import type { RunControlDeps } from '../runs/control.ts';
import type { Orderer } from './place.ts';
import { recordOrderChanges } from './events.ts';
import type { OrderDeps } from './deps.ts';
import { ORDER_INCLUDE } from './read.ts';
import { advanceOrder } from './progress.ts';
import { FINAL_ORDER_STATES } from './states.ts';

export type CancelDeps = OrderDeps & RunControlDeps;

export interface CancelRequest {
  orderId: string;
  reason?: string | undefined;
  requestedCancellationDate?: Date | undefined;
}

/**
 * Cancels an order: the order goes assessingCancellation at once (no item starts any more), its
 * queued and running runs are cancelled the engine's way (a provision that ran is compensated
 * by its deprovision), and it ends cancelled once they stopped (pendingCancellation meanwhile).
 * Items that had completed stay completed. The cancellation ends done, or terminatedWithError
 * when nothing was left to cancel.
 */
export async function cancelOrder(deps: CancelDeps, orderer: Orderer, request: CancelRequest): Promise<ServiceOrderCancellation> {
  const order = await deps.prisma.serviceOrder.findFirst({ where: { id: request.orderId, ...(orderer.partnerId ? { partnerId: orderer.partnerId } : {}) }, include: { items: true } });
  if (!order) throw new NotFoundError('ServiceOrder', request.orderId);
  const cancellation = await deps.prisma.$transaction(async (tx) => {
    // Only one request moves the order out of its state: a second, or a finished order, is refused.
    const { count } = await tx.serviceOrder.updateMany({
      where: { id: order.id, state: { notIn: [...FINAL_ORDER_STATES, 'assessingCancellation', 'pendingCancellation'] } },
      data: { state: 'assessingCancellation', cancellationReason: request.reason ?? null },
    });
    if (count === 0) {
      const now = await tx.serviceOrder.findUniqueOrThrow({ where: { id: order.id }, select: { state: true } });
      throw new InvalidStateError(`order ${order.id} is ${now.state}: there is nothing left to cancel`, now.state);
    }
    const created = await tx.serviceOrderCancellation.create({
      data: { orderId: order.id, partnerId: order.partnerId, state: 'inProgress', cancellationReason: request.reason ?? null, requestedCancellationDate: request.requestedCancellationDate ?? null },
    });
    const assessing = await tx.serviceOrder.findUniqueOrThrow({ where: { id: order.id }, include: ORDER_INCLUDE });
    const deliveries = await recordOrderChanges(tx, deps, [{ kind: 'cancellationCreated', cancellation: created }, { kind: 'orderStateChanged', order: assessing }]);
    return { created, deliveries };
  });
  await deps.webhooks.schedule(cancellation.deliveries);
  const runIds = order.items.flatMap((item) => (item.runId ? [item.runId] : []));
  const active = await deps.prisma.provisioningRun.findMany({ where: { id: { in: runIds }, status: { in: [...ACTIVE_RUN_STATUSES] } }, select: { id: true } });
  for (const run of active) {
    // A run that ended meanwhile needs no cancel: its item keeps what it did.
    await cancelRun(deps, run.id).catch((error: unknown) => {
      if (!(error instanceof InvalidStateError)) throw error;
    });
  }
  await advanceOrder(deps, order.id);
  return deps.prisma.serviceOrderCancellation.findUniqueOrThrow({ where: { id: cancellation.created.id } });
}
