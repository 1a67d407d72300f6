import type { RunStatus, ServiceOrderItemState, ServiceOrderState } from '#generated/prisma/enums.ts';

// How the engine drives a service order's states (TMF641): an item's state follows its run, an
// order's follows its items. Pure functions, so that every process derives the same states.

/** States an item never leaves. */
export const FINAL_ITEM_STATES: readonly ServiceOrderItemState[] = ['completed', 'failed', 'rejected', 'cancelled'];
/** States an order never leaves. */
export const FINAL_ORDER_STATES: readonly ServiceOrderState[] = ['completed', 'failed', 'partial', 'rejected', 'cancelled'];

export const isFinalItem = (state: ServiceOrderItemState): boolean => FINAL_ITEM_STATES.includes(state);
export const isFinalOrder = (state: ServiceOrderState): boolean => FINAL_ORDER_STATES.includes(state);

/** An item's state while, and once, its run runs: scheduled or queued is still acknowledged (inventory reserved, waiting its time or turn). */
export function itemStateOfRun(status: RunStatus): ServiceOrderItemState {
  switch (status) {
    case 'SCHEDULED':
    case 'QUEUED':
      return 'acknowledged';
    case 'RUNNING':
      return 'inProgress';
    case 'SUCCEEDED':
      return 'completed';
    case 'CANCELED':
      return 'cancelled';
    default:
      // ROLLED_BACK, FAILED, TIMED_OUT, INTERRUPTED, EXPIRED: the item did not do what was asked.
      return 'failed';
  }
}

/**
 * An order's state from its items': final once every item is, then cancelled (a cancellation
 * stopped an item), completed (all completed), rejected (all rejected at acknowledgement), failed
 * (none completed) or partial (some of each); before that pendingCancellation while a
 * cancellation waits for runs to stop, else inProgress once an item has started.
 */
export function orderStateOfItems(items: ReadonlyArray<{ state: ServiceOrderItemState }>, cancelling: boolean): ServiceOrderState {
  const states = items.map((item) => item.state);
  if (!states.every(isFinalItem)) {
    if (cancelling) return 'pendingCancellation';
    return states.some((state) => state !== 'acknowledged') ? 'inProgress' : 'acknowledged';
  }
  // A cancellation that came too late for every item (all had completed) leaves the order as they made it.
  if (cancelling && states.some((state) => state === 'cancelled')) return 'cancelled';
  if (states.every((state) => state === 'completed')) return 'completed';
  if (states.every((state) => state === 'rejected')) return 'rejected';
  return states.some((state) => state === 'completed') ? 'partial' : 'failed';
}

/** The itemIds of a dependency cycle among the items, if there is one (an order with one can never finish). */
export function dependencyCycle(items: ReadonlyArray<{ itemId: string; dependsOn: readonly string[] }>): string[] | undefined {
  const edges = new Map(items.map((item) => [item.itemId, item.dependsOn]));
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (done.has(id)) return undefined;
    if (visiting.has(id)) return [...path.slice(path.indexOf(id)), id];
    visiting.add(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    visiting.delete(id);
    done.add(id);
    return undefined;
  };
  for (const item of items) {
    const cycle = visit(item.itemId, []);
    if (cycle) return cycle;
  }
  return undefined;
}
