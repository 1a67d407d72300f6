import type { WebhookEvent } from '#generated/prisma/enums.ts';

/** What happened, for the endpoints subscribed to it. `data` is plain JSON, ids as the API shows them (apiId). */
export interface Notification {
  event: WebhookEvent;
  data: Record<string, unknown>;
}

/** The `type` field of a delivery's body: lower case with dots, as receivers route on it. */
export const EVENT_TYPES: Record<WebhookEvent, string> = {
  RUN_FINISHED: 'run.finished',
  RUN_FAILED: 'run.failed',
  SERVICE_NEEDS_ATTENTION: 'service.needs_attention',
  ITEM_QUARANTINED: 'item.quarantined',
  POOL_LOW: 'pool.low',
  PING: 'ping',
  // A hub delivery's type is its TMF eventType (hubEventType); this one is only a fallback name.
  TMF_EVENT: 'tmf.event',
  SERVICE_DRIFTED: 'service.drifted',
};

/** The body a receiver gets: stored with the delivery, so a resend sends the same message. */
export function deliveryBody(notification: Notification, at: Date): { type: string; timestamp: string; data: Record<string, unknown> } {
  return { type: EVENT_TYPES[notification.event], timestamp: at.toISOString(), data: notification.data };
}

/**
 * An id as the API shows it (a Relay global id: base64 of "Type:uuid"), so a receiver matches a
 * notification with what its queries returned. A unit test holds it to the schema's encoding.
 */
export function apiId(typename: 'ProvisioningRun' | 'Service' | 'Product' | 'InventoryItem' | 'WebhookEndpoint', id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}
