import type { ServiceOrder, ServiceOrderItem, ServiceOrderItemState } from '#generated/prisma/client.ts';
import type { RunStatus } from '#generated/prisma/enums.ts';
import pLimit from 'p-limit';
import { DomainError, NotFoundError } from '../errors.ts';
import { openValues } from '../secrets/index.ts';
import { deprovisionService, provisionServices, runServiceAction } from '../services/index.ts';
import { recordOrderChanges, type OrderChange } from './events.ts';
import type { OrderDeps } from './deps.ts';
import { ORDER_INCLUDE } from './read.ts';
import { isFinalItem, isFinalOrder, itemStateOfRun, orderStateOfItems } from './states.ts';

// The engine drives an order: items follow their runs, an item starts once its dependencies
// completed (or is cancelled when one did not), and the order's state follows its items. Every
// step is idempotent and guarded by the state it moves from, so any process may advance any
// order at any time: after a run's status changes, after a placement, and in the sweep. Each
// step reads only what it needs: an order of a thousand items is not read whole per run.

type OrderHead = Pick<ServiceOrder, 'id' | 'state' | 'startDate' | 'partnerId'>;

/** Modify and delete items started at once: their runs' transactions overlap their database round trips. */
const START_CONCURRENCY = 4;

/** One advance at a time per order in this process (others, on the cluster, are kept apart by the state guards). */
const advancing = new Map<string, Promise<void>>();

export interface AdvanceOptions {
  /** First bring every unfinished item up to its run (the sweep, a placement); false: the caller has just moved the item whose run changed. */
  followRuns?: boolean;
  /**
   * After starting items, bring them up to their runs at once: a run that moved before its item
   * knew its id went unheard. False for a placement's first pass, whose answer is the
   * acknowledgement (it catches up right after).
   */
  catchUp?: boolean;
}

/** Advances an order: its items follow their runs, ready items start, and the order's state follows its items. */
export function advanceOrder(deps: OrderDeps, orderId: string, options: AdvanceOptions = {}): Promise<void> {
  const next = (advancing.get(orderId) ?? Promise.resolve()).then(() => advanceOnce(deps, orderId, { followRuns: options.followRuns ?? true, catchUp: options.catchUp ?? true }));
  const settled = next.catch(() => undefined).finally(() => {
    if (advancing.get(orderId) === settled) advancing.delete(orderId);
  });
  advancing.set(orderId, settled);
  return next;
}

/** Moves an item from the state it was read in; false when another process moved it first. */
async function moveItem(deps: OrderDeps, item: Pick<ServiceOrderItem, 'id' | 'state'>, state: ServiceOrderItemState, reason?: string | null): Promise<boolean> {
  if (item.state === state) return false;
  const { count } = await deps.prisma.serviceOrderItem.updateMany({ where: { id: item.id, state: item.state }, data: { state, ...(reason !== undefined ? { reason } : {}) } });
  return count === 1;
}

/** The state an item's run gives it, with the reason when it did not complete. */
function fromRun(run: { status: RunStatus; statusReason: string | null } | undefined): { state: ServiceOrderItemState; reason: string | undefined } {
  // A run pruned from the history before its item followed it: its outcome is unknown.
  if (!run) return { state: 'failed', reason: 'its run is no longer in the history' };
  const state = itemStateOfRun(run.status);
  return { state, reason: state === 'failed' || state === 'cancelled' ? `run ${run.status}: ${run.statusReason ?? ''}`.trim() : undefined };
}

/**
 * A run changed status: the item it belongs to follows it, and its order is advanced when that
 * matters (the item moved). Returns without reading the order when the run is no order's.
 */
export async function followItemRun(deps: OrderDeps, runId: string): Promise<void> {
  const item = await deps.prisma.serviceOrderItem.findFirst({ where: { runId }, select: { id: true, state: true, orderId: true } });
  if (!item || isFinalItem(item.state)) return;
  const run = await deps.prisma.provisioningRun.findUnique({ where: { id: runId }, select: { status: true, statusReason: true } });
  const { state, reason } = fromRun(run ?? undefined);
  if (await moveItem(deps, item, state, reason)) await advanceOrder(deps, item.orderId, { followRuns: false });
}

async function followRuns(deps: OrderDeps, orderId: string): Promise<void> {
  const running = await deps.prisma.serviceOrderItem.findMany({ where: { orderId, runId: { not: null }, state: { notIn: ['completed', 'failed', 'rejected', 'cancelled'] } }, select: { id: true, state: true, runId: true } });
  if (running.length === 0) return;
  const runs = await deps.prisma.provisioningRun.findMany({ where: { id: { in: running.map((item) => item.runId!) } }, select: { id: true, status: true, statusReason: true } });
  const byId = new Map(runs.map((run) => [run.id, run]));
  for (const item of running) {
    const { state, reason } = fromRun(byId.get(item.runId!));
    await moveItem(deps, item, state, reason);
  }
}

const itemKey = (order: OrderHead, item: Pick<ServiceOrderItem, 'itemId'>) => `tmf-order:${order.id}:${item.itemId}`;

/** What the item's run gets: its characteristics, the secret ones opened. */
const itemVariables = (deps: OrderDeps, item: ServiceOrderItem) => ({ ...(item.variables as Record<string, unknown>), ...openValues(deps.secrets, item.secretVariables as Record<string, unknown>) });

/** Starts a modify's action or a delete's deprovision, idempotent per item. */
async function startChange(deps: OrderDeps, order: OrderHead, item: ServiceOrderItem): Promise<{ runId: string; serviceId: string; state: ServiceOrderItemState }> {
  const partnerId = order.partnerId;
  const started =
    item.action === 'delete'
      ? await deprovisionService(deps, { serviceId: item.serviceId!, partnerId })
      : await runServiceAction(deps, { serviceId: item.serviceId!, action: item.actionName!, variables: itemVariables(deps, item), idempotencyKey: itemKey(order, item), partnerId });
  return { runId: started.run.id, serviceId: item.serviceId!, state: itemStateOfRun(started.run.status) };
}

/** Refuses an item that could not start, unless another process started it meanwhile. */
async function rejectItem(deps: OrderDeps, item: Pick<ServiceOrderItem, 'id'>, reason: string): Promise<void> {
  await deps.prisma.serviceOrderItem.updateMany({ where: { id: item.id, state: 'acknowledged', runId: null }, data: { state: 'rejected', reason } });
}

/**
 * Starts an order's add items: per product, their provisions in one batch (a thousand SIM
 * activations are a few statements, not a thousand transactions), and the items' runs written
 * back in one statement. An item the batch refused is rejected with the reason.
 */
async function startAddItems(deps: OrderDeps, order: OrderHead, items: ServiceOrderItem[]): Promise<void> {
  const byProduct = Map.groupBy(items, (item) => item.productId!);
  const products = await deps.prisma.product.findMany({ where: { id: { in: [...byProduct.keys()] } }, select: { id: true, slug: true } });
  for (const [productId, group] of byProduct) {
    const slug = products.find((product) => product.id === productId)?.slug;
    const outcomes = slug
      ? await provisionServices(deps, slug, order.partnerId, group.map((item) => ({ customerRef: item.customerRef!, variables: itemVariables(deps, item), idempotencyKey: itemKey(order, item) })))
      : group.map(() => new NotFoundError('Product', productId));
    const started = group.flatMap((item, index) => {
      const outcome = outcomes[index]!;
      return outcome instanceof DomainError ? [] : [{ item, runId: outcome.run.id, serviceId: outcome.service!.id, state: itemStateOfRun(outcome.run.status) }];
    });
    if (started.length > 0) {
      await deps.prisma.$executeRawUnsafe(
        `UPDATE "ServiceOrderItem" AS item SET "runId" = started.run_id, "serviceId" = started.service_id, state = started.state::"ServiceOrderItemState", "updatedAt" = now()
          FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS started(item_id, run_id, service_id, state)
          WHERE item.id = started.item_id AND item."runId" IS NULL`,
        started.map((entry) => entry.item.id),
        started.map((entry) => entry.runId),
        started.map((entry) => entry.serviceId),
        started.map((entry) => entry.state),
      );
    }
    for (const [index, outcome] of outcomes.entries()) if (outcome instanceof DomainError) await rejectItem(deps, group[index]!, outcome.message);
  }
}

/** Why an item waiting on others will never start, if it will not. */
function blockedBy(item: ServiceOrderItem, states: ReadonlyMap<string, ServiceOrderItemState>, cancelling: boolean): string | undefined {
  if (cancelling) return 'the order was cancelled before this item started';
  for (const dependency of item.dependsOn) {
    const state = states.get(dependency);
    if (state && isFinalItem(state) && state !== 'completed') return `item ${dependency}, which it depends on, ended ${state}`;
  }
  return undefined;
}

/** Starts one waiting modify or delete; one that cannot start is rejected with the reason. */
async function startWaitingChange(deps: OrderDeps, order: OrderHead, item: ServiceOrderItem): Promise<void> {
  try {
    const started = await startChange(deps, order, item);
    await deps.prisma.serviceOrderItem.updateMany({ where: { id: item.id, runId: null }, data: { runId: started.runId, serviceId: started.serviceId, state: started.state } });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Another process may have started it meanwhile (its run then refuses a second one).
    await rejectItem(deps, item, error.message);
  }
}

/** Starts the items whose dependencies completed, and says how many; cancels those whose dependencies did not. */
async function startReadyItems(deps: OrderDeps, order: OrderHead, cancelling: boolean): Promise<number> {
  const waiting = await deps.prisma.serviceOrderItem.findMany({ where: { orderId: order.id, runId: null, state: 'acknowledged' }, orderBy: { position: 'asc' } });
  if (waiting.length === 0) return 0;
  const dependencies = [...new Set(waiting.flatMap((item) => item.dependsOn))];
  const states = new Map(
    dependencies.length === 0
      ? []
      : (await deps.prisma.serviceOrderItem.findMany({ where: { orderId: order.id, itemId: { in: dependencies } }, select: { itemId: true, state: true } })).map((item) => [item.itemId, item.state] as const),
  );
  const ready: ServiceOrderItem[] = [];
  for (const item of waiting) {
    const blocked = item.action === 'noChange' ? undefined : blockedBy(item, states, cancelling);
    if (item.action === 'noChange') await moveItem(deps, item, cancelling ? 'cancelled' : 'completed');
    else if (blocked) await moveItem(deps, item, 'cancelled', blocked);
    else if (item.dependsOn.every((dependency) => states.get(dependency) === 'completed')) ready.push(item);
  }
  await startAddItems(deps, order, ready.filter((item) => item.action === 'add'));
  const limit = pLimit(START_CONCURRENCY);
  await Promise.all(ready.filter((item) => item.action !== 'add').map((item) => limit(() => startWaitingChange(deps, order, item))));
  return ready.length;
}

async function settleOrderState(deps: OrderDeps, order: OrderHead, cancelling: boolean): Promise<void> {
  const counts = await deps.prisma.serviceOrderItem.groupBy({ by: ['state'], where: { orderId: order.id }, _count: { _all: true } });
  const state = orderStateOfItems(counts.flatMap((count) => Array.from({ length: count._count._all }, () => ({ state: count.state }))), cancelling);
  if (state === order.state) return;
  const now = new Date();
  const deliveries = await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.serviceOrder.updateMany({
      where: { id: order.id, state: order.state },
      data: {
        state,
        ...(state !== 'acknowledged' && !order.startDate && (await tx.serviceOrderItem.count({ where: { orderId: order.id, runId: { not: null } } })) > 0 ? { startDate: now } : {}),
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

async function advanceOnce(deps: OrderDeps, orderId: string, options: Required<AdvanceOptions>): Promise<void> {
  const head = { id: true, state: true, startDate: true, partnerId: true } as const;
  const order = await deps.prisma.serviceOrder.findUnique({ where: { id: orderId }, select: head });
  if (!order || isFinalOrder(order.state)) return;
  const cancelling = order.state === 'assessingCancellation' || order.state === 'pendingCancellation';
  if (options.followRuns) await followRuns(deps, orderId);
  const started = await startReadyItems(deps, order, cancelling);
  if (started > 0 && options.catchUp) await followRuns(deps, orderId);
  await settleOrderState(deps, order, cancelling);
}
