import type { ServiceOrderItem, ServiceOrderItemState } from '#generated/prisma/client.ts';
import { DomainError } from '../errors.ts';
import { openValues } from '../secrets/index.ts';
import { deprovisionService, provisionService, runServiceAction } from '../services/index.ts';
import { recordOrderChanges, type OrderChange } from './events.ts';
import { loadOrder, ORDER_INCLUDE, type LoadedOrder, type OrderDeps } from './read.ts';
import { isFinalItem, isFinalOrder, itemStateOfRun, orderStateOfItems } from './states.ts';

// The engine drives an order: items follow their runs, an item starts once its dependencies
// completed (or is cancelled when one did not), and the order's state follows its items. Every
// step is idempotent and guarded by the state it moves from, so any process may advance any
// order at any time: after a run's status changes, after a placement, and in the sweep.

/** One advance at a time per order in this process (others, on the cluster, are kept apart by the state guards). */
const advancing = new Map<string, Promise<void>>();

export function advanceOrder(deps: OrderDeps, orderId: string): Promise<void> {
  const next = (advancing.get(orderId) ?? Promise.resolve()).then(() => advanceOnce(deps, orderId));
  const settled = next.catch(() => undefined).finally(() => {
    if (advancing.get(orderId) === settled) advancing.delete(orderId);
  });
  advancing.set(orderId, settled);
  return next;
}

/** Moves an item from the state it was read in; false when another process moved it first. */
async function moveItem(deps: OrderDeps, item: ServiceOrderItem, state: ServiceOrderItemState, reason?: string | null): Promise<boolean> {
  if (item.state === state) return false;
  const { count } = await deps.prisma.serviceOrderItem.updateMany({ where: { id: item.id, state: item.state }, data: { state, ...(reason !== undefined ? { reason } : {}) } });
  return count === 1;
}

/** An item's run, and its state from it; undefined for an item that has no run (yet). */
async function followRuns(deps: OrderDeps, order: LoadedOrder): Promise<void> {
  const running = order.items.filter((item) => item.runId && !isFinalItem(item.state));
  if (running.length === 0) return;
  const runs = await deps.prisma.provisioningRun.findMany({ where: { id: { in: running.map((item) => item.runId!) } }, select: { id: true, status: true, statusReason: true } });
  const byId = new Map(runs.map((run) => [run.id, run]));
  for (const item of running) {
    const run = byId.get(item.runId!);
    // A run pruned from the history before its item followed it: its outcome is unknown.
    const state = run ? itemStateOfRun(run.status) : 'failed';
    const reason = !run ? 'its run is no longer in the history' : state === 'failed' || state === 'cancelled' ? `run ${run.status}: ${run.statusReason ?? ''}`.trim() : undefined;
    await moveItem(deps, item, state, reason);
  }
}

/** Starts an item's run: the service's provision, deprovision or action, idempotent per item. */
async function startItem(deps: OrderDeps, order: LoadedOrder, item: ServiceOrderItem): Promise<{ runId: string; serviceId: string; state: ServiceOrderItemState }> {
  const idempotencyKey = `tmf-order:${order.id}:${item.itemId}`;
  const variables = { ...(item.variables as Record<string, unknown>), ...openValues(deps.secrets, item.secretVariables as Record<string, unknown>) };
  const partnerId = order.partnerId;
  if (item.action === 'add') {
    const product = await deps.prisma.product.findUniqueOrThrow({ where: { id: item.productId! }, select: { slug: true } });
    const started = await provisionService(deps, { productSlug: product.slug, customerRef: item.customerRef!, variables, idempotencyKey, partnerId });
    return { runId: started.run.id, serviceId: started.service!.id, state: itemStateOfRun(started.run.status) };
  }
  const started =
    item.action === 'delete'
      ? await deprovisionService(deps, { serviceId: item.serviceId!, partnerId })
      : await runServiceAction(deps, { serviceId: item.serviceId!, action: item.actionName!, variables, idempotencyKey, partnerId });
  return { runId: started.run.id, serviceId: item.serviceId!, state: itemStateOfRun(started.run.status) };
}

/** Why an item waiting on others will never start, if it will not. */
function blockedBy(item: ServiceOrderItem, items: readonly ServiceOrderItem[], cancelling: boolean): string | undefined {
  if (cancelling) return 'the order was cancelled before this item started';
  for (const dependency of item.dependsOn) {
    const other = items.find((candidate) => candidate.itemId === dependency);
    if (other && isFinalItem(other.state) && other.state !== 'completed') return `item ${dependency}, which it depends on, ended ${other.state}`;
  }
  return undefined;
}

/** Starts the items whose dependencies completed; cancels those whose dependencies did not. */
async function startReadyItems(deps: OrderDeps, order: LoadedOrder, cancelling: boolean): Promise<void> {
  const waiting = order.items.filter((item) => !item.runId && item.state === 'acknowledged');
  for (const item of waiting) {
    if (item.action === 'noChange') {
      await moveItem(deps, item, cancelling ? 'cancelled' : 'completed');
      continue;
    }
    const blocked = blockedBy(item, order.items, cancelling);
    if (blocked) {
      await moveItem(deps, item, 'cancelled', blocked);
      continue;
    }
    if (!item.dependsOn.every((dependency) => order.items.find((other) => other.itemId === dependency)?.state === 'completed')) continue;
    try {
      const started = await startItem(deps, order, item);
      await deps.prisma.serviceOrderItem.updateMany({ where: { id: item.id, runId: null }, data: { runId: started.runId, serviceId: started.serviceId, state: started.state } });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Another process may have started it meanwhile (its run then refuses a second one).
      const now = await deps.prisma.serviceOrderItem.findUniqueOrThrow({ where: { id: item.id } });
      if (!now.runId) await moveItem(deps, now, 'rejected', error.message);
    }
  }
}

async function settleOrderState(deps: OrderDeps, order: LoadedOrder, cancelling: boolean): Promise<void> {
  const state = orderStateOfItems(order.items, cancelling);
  if (state === order.state) return;
  const now = new Date();
  const deliveries = await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.serviceOrder.updateMany({
      where: { id: order.id, state: order.state },
      data: {
        state,
        ...(state !== 'acknowledged' && !order.startDate && order.items.some((item) => item.runId) ? { startDate: now } : {}),
        ...(isFinalOrder(state) ? { completionDate: now } : {}),
        ...(state === 'cancelled' ? { cancellationDate: now } : {}),
      },
    });
    // Another process moved it first: it tells the subscribers.
    if (count === 0) return [];
    const changes: OrderChange[] = [{ kind: 'orderStateChanged', order: await tx.serviceOrder.findUniqueOrThrow({ where: { id: order.id }, include: ORDER_INCLUDE }) }];
    if (cancelling && isFinalOrder(state)) {
      // The cancellation ends with its order: done when it cancelled something, else in error.
      const open = await tx.serviceOrderCancellation.findMany({ where: { orderId: order.id, state: { in: ['accepted', 'inProgress'] } }, select: { id: true } });
      for (const { id } of open) {
        const cancellation = await tx.serviceOrderCancellation.update({
          where: { id },
          data: state === 'cancelled'
            ? { state: 'done', effectiveCancellationDate: now }
            : { state: 'terminatedWithError', completionMessage: `every item had ended before the cancellation took effect: the order is ${state}` },
        });
        changes.push({ kind: 'cancellationStateChanged', cancellation });
      }
    }
    return recordOrderChanges(tx, deps, changes);
  });
  await deps.webhooks.schedule(deliveries);
}

async function advanceOnce(deps: OrderDeps, orderId: string): Promise<void> {
  let order = await loadOrder(deps.prisma, orderId);
  if (isFinalOrder(order.state)) return;
  const cancelling = order.state === 'assessingCancellation' || order.state === 'pendingCancellation';
  await followRuns(deps, order);
  order = await loadOrder(deps.prisma, orderId);
  await startReadyItems(deps, order, cancelling);
  order = await loadOrder(deps.prisma, orderId);
  await settleOrderState(deps, order, cancelling);
}
