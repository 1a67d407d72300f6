import type { OrderDeps } from './deps.ts';
import { advanceOrder, followItemRun } from './progress.ts';
import { FINAL_ORDER_STATES } from './states.ts';

/** Orders looked at per sweep, the least recently changed first. */
const SWEEP_BATCH = 100;

/**
 * Advances the orders that are not final: the fallback for a run status message that was lost
 * (Redis away) or a process that stopped between a run's end and its order's advance.
 */
export async function sweepOrders(deps: OrderDeps): Promise<void> {
  const open = await deps.prisma.serviceOrder.findMany({
    where: { state: { notIn: [...FINAL_ORDER_STATES] } },
    select: { id: true },
    orderBy: { updatedAt: 'asc' },
    take: SWEEP_BATCH,
  });
  for (const order of open) await advanceOrder(deps, order.id);
}

/**
 * Advances an order whenever one of its runs starts or ends (the event bus's run status), and
 * sweeps the open orders every `sweepMs`. Returns how to stop.
 */
export function followOrders(deps: OrderDeps, options: { sweepMs: number }): () => void {
  const messages = deps.events.subscribe('run:status');
  void (async () => {
    for await (const message of messages) {
      if (message.status === 'QUEUED') continue;
      followItemRun(deps, message.runId).catch((error: unknown) => deps.logger.warn({ err: error, runId: message.runId }, 'following a run of a service order failed; the sweep tries again'));
    }
  })().catch((error: unknown) => deps.logger.warn({ err: error }, 'following run statuses for service orders stopped'));
  const sweep = () => sweepOrders(deps).catch((error: unknown) => deps.logger.warn({ err: error }, 'the service order sweep failed'));
  void sweep();
  const timer = setInterval(() => void sweep(), options.sweepMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    void messages.return?.();
  };
}
