import type { Prisma, ServiceOrderCancellation } from '#generated/prisma/client.ts';
import type { HubEvent, ScheduledDelivery, WebhookOutbox } from '../webhooks/index.ts';
import type { LoadedOrder } from './read.ts';

/** What happened to an order, for its subscribers (the TM Forum hubs). */
export type OrderChange =
  | { kind: 'orderCreated' | 'orderStateChanged'; order: LoadedOrder }
  | { kind: 'cancellationCreated' | 'cancellationStateChanged'; cancellation: ServiceOrderCancellation };

/**
 * Order changes in the subscribers' words: the TMF layer's event bodies (the domain knows what
 * changed, not how TMF641 spells it). Unset: nobody subscribes (a worker, a test).
 */
export interface OrderEventFormat {
  events(changes: readonly OrderChange[]): HubEvent[];
}

/** Records the changes' events in the change's own transaction; schedule what it returns after the commit. */
export async function recordOrderChanges(tx: Prisma.TransactionClient, deps: { webhooks: WebhookOutbox; orderEvents?: OrderEventFormat | undefined }, changes: readonly OrderChange[]): Promise<ScheduledDelivery[]> {
  if (!deps.orderEvents || changes.length === 0) return [];
  return deps.webhooks.recordHubEvents(tx, deps.orderEvents.events(changes));
}
