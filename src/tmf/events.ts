import { randomUUID } from 'node:crypto';
import type { OrderChange, OrderEventFormat } from '../domain/orders/index.ts';
import type { ServiceChange, ServiceEventFormat } from '../domain/services/index.ts';
import type { CatalogEventFormat, ProductChange } from '../domain/catalog/index.ts';
import type { HubEvent } from '../domain/webhooks/index.ts';
import { tmfCancellation } from './cancel-service-order.ts';
import { tmfServiceOrder } from './order-mapping.ts';
import { SERVICE_STATE, tmfService } from './service-inventory.ts';
import { serviceSpecification } from './service-catalog.ts';

// TMF641's events, as its hubs' listeners get them: the TMF event body (eventId, eventTime,
// eventType, event: { serviceOrder | cancelServiceOrder }), unchanged by Provisio's signing.

const EVENT_TYPE: Record<OrderChange['kind'], string> = {
  orderCreated: 'ServiceOrderCreateEvent',
  orderStateChanged: 'ServiceOrderStateChangeEvent',
  cancellationCreated: 'CancelServiceOrderCreateEvent',
  cancellationStateChanged: 'CancelServiceOrderStateChangeEvent',
};

function body(eventType: string, at: string, event: Record<string, unknown>, correlationId: string | null, title: string, domain = 'serviceOrdering'): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    eventTime: at,
    eventType,
    ...(correlationId ? { correlationId } : {}),
    domain,
    title,
    timeOcurred: at,
    event,
    '@type': eventType,
  };
}

/** The TMF641 event format; `origin()` is where the resources' hrefs point (the public URL). */
export function tmfOrderEvents(origin: () => string): OrderEventFormat {
  return {
    events(changes: readonly OrderChange[]): HubEvent[] {
      const at = new Date().toISOString();
      return changes.map((change): HubEvent => {
        const eventType = EVENT_TYPE[change.kind];
        if ('order' in change) {
          const { order } = change;
          const title = change.kind === 'orderCreated' ? `service order ${order.id} created` : `service order ${order.id} is ${order.state}`;
          return { api: 'serviceOrdering', eventType, partnerId: order.partnerId, body: body(eventType, at, { serviceOrder: tmfServiceOrder(origin(), order) }, order.externalId, title) };
        }
        const { cancellation } = change;
        const title = `cancellation ${cancellation.id} of order ${cancellation.orderId} is ${cancellation.state}`;
        return { api: 'serviceOrdering', eventType, partnerId: cancellation.partnerId, body: body(eventType, at, { cancelServiceOrder: tmfCancellation(origin(), cancellation) }, null, title) };
      });
    },
  };
}

/**
 * TMF638's events: ServiceCreateEvent when the hubs first hear of a service, then
 * ServiceStateChangeEvent when its TMF state changes (two Provisio statuses of one TMF state,
 * such as SUSPENDED and NEEDS_ATTENTION, are one state to a hub).
 */
export function tmfServiceEvents(origin: () => string): ServiceEventFormat {
  return {
    api: 'serviceInventory',
    events(changes: readonly ServiceChange[]): HubEvent[] {
      const at = new Date().toISOString();
      return changes.flatMap((change): HubEvent[] => {
        const { service, previous } = change;
        const state = SERVICE_STATE[service.status];
        if (change.kind === 'serviceStateChanged' && previous && SERVICE_STATE[previous] === state) return [];
        const eventType = change.kind === 'serviceCreated' ? 'ServiceCreateEvent' : 'ServiceStateChangeEvent';
        const title = change.kind === 'serviceCreated' ? `service ${service.id} created (${state})` : `service ${service.id} is ${state}`;
        return [{ api: 'serviceInventory', eventType, partnerId: service.partnerId, body: body(eventType, at, { service: tmfService(origin(), service) }, service.customerRef, title, 'serviceInventory') }];
      });
    },
  };
}

/** TMF633's events: ServiceSpecificationCreateEvent and ServiceSpecificationChangeEvent (an archived product is Retired). */
export function tmfCatalogEvents(origin: () => string): CatalogEventFormat {
  return {
    events(changes: readonly ProductChange[]): HubEvent[] {
      const at = new Date().toISOString();
      return changes.map(({ kind, product }): HubEvent => {
        const eventType = kind === 'productCreated' ? 'ServiceSpecificationCreateEvent' : 'ServiceSpecificationChangeEvent';
        const title = `service specification ${product.slug} ${kind === 'productCreated' ? 'created' : `changed (version ${product.version})`}`;
        // Catalog events are the staff's: a partner's grants are many, and its hubs are refused.
        return { api: 'serviceCatalog', eventType, partnerId: null, body: body(eventType, at, { serviceSpecification: serviceSpecification(origin(), product) }, product.slug, title, 'serviceCatalogManagement') };
      });
    },
  };
}
