import type { Prisma, Product } from '#generated/prisma/client.ts';
import type { HubEvent, ScheduledDelivery, WebhookOutbox } from '../webhooks/index.ts';

/** What happened to a product, for the catalog's subscribers (the TM Forum hubs). */
export interface ProductChange {
  kind: 'productCreated' | 'productChanged';
  product: Product;
}

/** Product changes in the hubs' words (TMF633's events); unset: nobody subscribes (a worker, the seed). */
export interface CatalogEventFormat {
  events(changes: readonly ProductChange[]): HubEvent[];
}

/** Records a product change's events in the change's own transaction; schedule what it returns after the commit. */
export async function recordProductChange(tx: Prisma.TransactionClient, deps: { webhooks: WebhookOutbox; catalogEvents?: CatalogEventFormat | undefined }, change: ProductChange): Promise<ScheduledDelivery[]> {
  if (!deps.catalogEvents) return [];
  return deps.webhooks.recordHubEvents(tx, deps.catalogEvents.events([change]));
}
