import type { ServiceOrderItem } from '#generated/prisma/client.ts';
import type { ServiceStatus } from '#generated/prisma/enums.ts';
import type { LoadedOrder, OrderItemRequest, OrderRequest } from '../domain/orders/index.ts';
import { hrefOf, type Origin } from './context.ts';
import { badRequest } from './errors.ts';

// TMF641 documents ↔ the domain's orders: what a client's ServiceOrder_Create asks, and how an
// order is shown back.

export const ORDER_PATH = '/serviceOrdering/v4/serviceOrder';

/** Order attributes a client sets, kept as given and shown back; anything server-owned is refused. */
export const CLIENT_ORDER_ATTRIBUTES = [
  'category', 'description', 'externalReference', 'notificationContact', 'note', 'orderRelationship', 'priority',
  'relatedParty', 'requestedCompletionDate', 'requestedStartDate', '@baseType', '@schemaLocation',
] as const;
/** What a client may change on an acknowledged order (PATCH); the rest is the engine's or fixed at creation. */
export const PATCHABLE_ORDER_ATTRIBUTES = ['category', 'description', 'externalReference', 'notificationContact', 'note', 'priority', 'requestedCompletionDate', 'requestedStartDate'] as const;
/** Set by the engine: a request that sets one is refused (TMF641: the state is never the client's). */
export const SERVER_ORDER_ATTRIBUTES = ['id', 'href', 'state', 'orderDate', 'startDate', 'completionDate', 'expectedCompletionDate', 'cancellationDate', 'cancellationReason', 'errorMessage', 'jeopardyAlert', 'milestone'] as const;
const CLIENT_ITEM_ATTRIBUTES = ['quantity', 'requestedStartDate', 'requestedCompletionDate', 'appointment', 'note', 'modifyPath', '@baseType', '@schemaLocation', '@type'] as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function pick(source: Json, names: readonly string[]): Json {
  return Object.fromEntries(names.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]));
}

/** The customer of a relatedParty list: the party whose role is Customer (any case). */
function customerOf(parties: unknown): string | undefined {
  if (!Array.isArray(parties)) return undefined;
  const customer = parties.find((party) => isObject(party) && typeof party['role'] === 'string' && party['role'].toLowerCase() === 'customer') as Json | undefined;
  return typeof customer?.['id'] === 'string' ? customer['id'] : undefined;
}

function characteristics(service: Json, path: string): Json {
  const list = service['serviceCharacteristic'];
  if (list === undefined) return {};
  const result: Json = {};
  for (const [index, characteristic] of (list as Json[]).entries()) {
    const name = characteristic['name'] as string;
    if (name in result) throw badRequest(`${path}.serviceCharacteristic[${index}]: ${name} is given twice`);
    result[name] = characteristic['value'];
  }
  return result;
}

/** A modify's `service.state`: the status the service should reach. */
function wantedStatus(state: unknown, path: string): ServiceStatus | undefined {
  if (state === undefined) return undefined;
  if (state === 'active') return 'ACTIVE';
  if (state === 'inactive') return 'SUSPENDED';
  throw badRequest(`${path}.service.state: a modify can make a service active or inactive, not ${String(state)}`);
}

function itemRequest(item: Json, index: number, orderCustomer: string | undefined): OrderItemRequest {
  const path = `serviceOrderItem[${index}]`;
  const service = item['service'] as Json;
  const action = item['action'] as OrderItemRequest['action'];
  const relationships = (item['serviceOrderItemRelationship'] as Json[] | undefined) ?? [];
  const dependsOn = relationships.map((relationship, at) => {
    if (String(relationship['relationshipType']).toLowerCase() !== 'dependency') {
      throw badRequest(`${path}.serviceOrderItemRelationship[${at}]: only relationshipType "dependency" is supported`);
    }
    // TMF641 4.1 names the other item in orderItem.itemId (its schema also requires an orderItem.id); 4.0 in id.
    const reference = isObject(relationship['orderItem']) ? relationship['orderItem'] : undefined;
    const other = reference ? (reference['itemId'] ?? reference['id']) : relationship['id'];
    if (typeof other !== 'string') throw badRequest(`${path}.serviceOrderItemRelationship[${at}]: orderItem.itemId names the item it depends on`);
    return other;
  });
  const specification = service['serviceSpecification'];
  return {
    itemId: item['id'] as string,
    action,
    productId: action === 'add' && isObject(specification) ? (specification['id'] as string) : undefined,
    serviceId: action !== 'add' && typeof service['id'] === 'string' ? service['id'] : undefined,
    customerRef: action === 'add' ? (customerOf(service['relatedParty']) ?? orderCustomer) : undefined,
    serviceStatus: action === 'modify' ? wantedStatus(service['state'], path) : undefined,
    characteristics: characteristics(service, `${path}.service`),
    dependsOn,
    document: pick(item, CLIENT_ITEM_ATTRIBUTES),
  };
}

/** A validated ServiceOrder_Create as the domain's order request. */
export function orderRequest(body: Json): OrderRequest {
  const setByServer = SERVER_ORDER_ATTRIBUTES.filter((name) => body[name] !== undefined);
  if (setByServer.length > 0) throw badRequest(`${setByServer.join(', ')} ${setByServer.length === 1 ? 'is' : 'are'} set by the server, not by the client`, 'SERVER_OWNED_ATTRIBUTE');
  const orderCustomer = customerOf(body['relatedParty']);
  return {
    externalId: typeof body['externalId'] === 'string' ? body['externalId'] : undefined,
    document: pick(body, CLIENT_ORDER_ATTRIBUTES),
    items: (body['serviceOrderItem'] as Json[]).map((item, index) => itemRequest(item, index, orderCustomer)),
  };
}

function itemDocument(c: Origin, order: LoadedOrder, item: ServiceOrderItem): Json {
  const service: Json = {
    ...(item.serviceId ? { id: item.serviceId, href: hrefOf(c, `/serviceInventory/v4/service/${item.serviceId}`) } : {}),
    ...(item.action === 'add' && item.productId
      ? { serviceSpecification: { id: item.productId, href: hrefOf(c, `/serviceCatalogManagement/v4/serviceSpecification/${item.productId}`), '@referredType': 'ServiceSpecification' } }
      : {}),
    // Secret characteristics are named but never valued.
    serviceCharacteristic: [
      ...Object.entries(item.variables as Json).map(([name, value]) => ({ name, value })),
      ...Object.keys(item.secretVariables as Json).map((name) => ({ name, value: '********' })),
    ],
    ...(item.customerRef ? { relatedParty: [{ id: item.customerRef, role: 'Customer', '@referredType': 'Customer', '@type': 'RelatedParty' }] } : {}),
    '@referredType': 'Service',
  };
  return {
    ...(item.document as Json),
    id: item.itemId,
    action: item.action,
    state: item.state,
    service,
    ...(item.dependsOn.length
      ? { serviceOrderItemRelationship: item.dependsOn.map((itemId) => ({ relationshipType: 'dependency', orderItem: { itemId, serviceOrderId: order.id, '@referredType': 'ServiceOrderItem' } })) }
      : {}),
    '@type': 'ServiceOrderItem',
  };
}

/** An order as TMF641 shows it: the client's attributes, the engine's states and dates, each item's reason. */
export function tmfServiceOrder(c: Origin, order: LoadedOrder): Json {
  const explained = order.items.filter((item) => item.reason);
  return {
    ...(order.document as Json),
    id: order.id,
    href: hrefOf(c, `${ORDER_PATH}/${order.id}`),
    ...(order.externalId ? { externalId: order.externalId } : {}),
    state: order.state,
    orderDate: order.orderDate.toISOString(),
    ...(order.startDate ? { startDate: order.startDate.toISOString() } : {}),
    ...(order.completionDate ? { completionDate: order.completionDate.toISOString() } : {}),
    ...(order.cancellationDate ? { cancellationDate: order.cancellationDate.toISOString() } : {}),
    ...(order.cancellationReason ? { cancellationReason: order.cancellationReason } : {}),
    serviceOrderItem: order.items.map((item) => itemDocument(c, order, item)),
    ...(explained.length
      ? {
          errorMessage: explained.map((item) => ({
            code: item.state.toUpperCase(),
            reason: `item ${item.itemId} ${item.state}`,
            message: item.reason,
            status: item.state,
            timestamp: item.updatedAt.toISOString(),
            serviceOrderItem: [{ itemId: item.itemId, serviceOrderId: order.id, '@referredType': 'ServiceOrderItem' }],
            '@type': 'ServiceOrderErrorMessage',
          })),
        }
      : {}),
    '@type': 'ServiceOrder',
  };
}
