import type { Prisma } from '#generated/prisma/client.ts';
import type { Logger } from '../../logger.ts';
import type { DeliveryQueue } from '../ports/webhooks.ts';
import { deliveryBody, type Notification } from './events.ts';
import { hubsFor, type HubEvent } from './hub-events.ts';
import type { WebhookUrlPolicy } from './url-policy.ts';

export interface ScheduledDelivery {
  id: string;
  at: Date;
}

export interface WebhookSettings {
  policy: WebhookUrlPolicy;
  /** Attempts before a delivery is FAILED. */
  maxAttempts: number;
}

/**
 * The transactional outbox of webhooks: a change records its notifications in its own
 * transaction (one delivery per enabled endpoint subscribed to the event), and they are scheduled
 * after the commit. A crash in between loses nothing: the sender's sweep finds them.
 */
export class WebhookOutbox {
  private readonly queue: DeliveryQueue;
  private readonly logger: Logger;
  readonly settings: WebhookSettings;

  constructor(queue: DeliveryQueue, logger: Logger, settings: WebhookSettings) {
    this.queue = queue;
    this.logger = logger;
    this.settings = settings;
  }

  async record(tx: Prisma.TransactionClient, notifications: readonly Notification[]): Promise<ScheduledDelivery[]> {
    if (notifications.length === 0) return [];
    const at = new Date();
    const rows = notifications.map((notification) => ({ event: notification.event, payload: deliveryBody(notification, at) }));
    // One statement whatever the number of endpoints: fan out in SQL.
    const created = await tx.$queryRawUnsafe<Array<{ id: string }>>(
      `INSERT INTO "WebhookDelivery" (id, "endpointId", event, payload, "attemptLimit", "nextAttemptAt")
       SELECT gen_random_uuid(), endpoint.id, note.event::"WebhookEvent", note.payload, $2, $3::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS note(event text, payload jsonb)
         JOIN "WebhookEndpoint" endpoint ON endpoint.enabled AND note.event::"WebhookEvent" = ANY(endpoint.events)
       RETURNING id`,
      JSON.stringify(rows),
      this.settings.maxAttempts,
      at.toISOString(),
    );
    return created.map(({ id }) => ({ id, at }));
  }

  /** Records TM Forum events for the hubs that take them, in the change's transaction; their bodies unchanged. */
  async recordHubEvents(tx: Prisma.TransactionClient, events: readonly HubEvent[]): Promise<ScheduledDelivery[]> {
    const at = new Date();
    const rows: Prisma.WebhookDeliveryCreateManyInput[] = [];
    for (const event of events) {
      for (const endpointId of await hubsFor(tx, event)) {
        rows.push({ endpointId, event: 'TMF_EVENT', hubEventType: event.eventType, payload: event.body as Prisma.InputJsonObject, attemptLimit: this.settings.maxAttempts, nextAttemptAt: at });
      }
    }
    if (rows.length === 0) return [];
    const created = await tx.webhookDelivery.createManyAndReturn({ data: rows, select: { id: true } });
    return created.map(({ id }) => ({ id, at }));
  }

  /** After the commit. Never throws: what could not be scheduled is found by the sweep. */
  async schedule(deliveries: readonly ScheduledDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      await this.queue.schedule(delivery.id, delivery.at).catch((error: unknown) => this.logger.warn({ err: error, deliveryId: delivery.id }, 'scheduling a webhook delivery failed; the sweep will send it'));
    }
  }
}
