import { Hono } from 'hono';
import type { Prisma } from '#generated/prisma/client.ts';
import { ServiceOrderState } from '#generated/prisma/enums.ts';
import { recordAudit } from '../domain/access/audit.ts';
import { isFinalOrder, loadOrder, ORDER_INCLUDE, placeOrder, type OrderRequest } from '../domain/orders/index.ts';
import { dateComparison, equalityOnly, oneOf, parseFields, selectFields, wants, type FieldSelection, type Queryable } from './conventions.ts';
import { listResponse, type TmfContext, type TmfDeps, type TmfEnv } from './context.ts';
import { badRequest, notFound, TmfError } from './errors.ts';
import { assertMayOrder, domainError, limitedBody, readJson, visibleOrders } from './requests.ts';
import { isUuid } from './ids.ts';
import { orderRequest, PATCHABLE_ORDER_ATTRIBUTES, tmfServiceOrder } from './order-mapping.ts';
import { assertMatchesSpec } from './validation.ts';

// TMF641 Service Ordering v4: orders placed by clients, driven by the engine.

const ORDER_QUERY: Queryable<Prisma.ServiceOrderWhereInput, Prisma.ServiceOrderOrderByWithRelationInput> = {
  filters: {
    id: (filter) => ({ id: { in: equalityOnly(filter).filter(isUuid) } }),
    externalId: (filter) => ({ externalId: { in: equalityOnly(filter) } }),
    state: (filter) => ({ state: { in: oneOf(filter, Object.values(ServiceOrderState), 'an order') } }),
    orderDate: (filter) => ({ orderDate: dateComparison(filter) }),
  },
  sorts: { orderDate: (direction) => ({ orderDate: direction }) },
  tieBreak: { id: 'asc' },
};

/** The audit keeps what was ordered, never a characteristic's value (some are secrets). */
function auditArguments(request: OrderRequest): Record<string, unknown> {
  return {
    externalId: request.externalId ?? null,
    items: request.items.map((item) => ({ id: item.itemId, action: item.action, productId: item.productId, serviceId: item.serviceId, characteristics: Object.keys(item.characteristics) })),
  };
}

/** The items, only when the selection shows them (a 1,000-item order is not read for its state). */
const itemsFor = (fields: FieldSelection) => (wants(fields, 'serviceOrderItem') || wants(fields, 'errorMessage') ? ORDER_INCLUDE : { items: { take: 0 } });

async function findOrder(deps: TmfDeps, c: TmfContext, id: string, fields: FieldSelection = 'all') {
  const order = isUuid(id) ? await deps.services().prisma.serviceOrder.findFirst({ where: { id, ...visibleOrders(c.get('viewer')) }, include: itemsFor(fields) }) : null;
  if (!order) throw notFound('serviceOrder', id);
  return order;
}

export function serviceOrderingRoutes(deps: TmfDeps): Hono<TmfEnv> {
  const routes = new Hono<TmfEnv>();

  routes.post('/serviceOrder', limitedBody, async (c) => {
    const viewer = c.get('viewer');
    assertMayOrder(viewer);
    const body = await readJson(c, ['application/json']);
    assertMatchesSpec('serviceOrdering', 'ServiceOrder_Create', body);
    const request = orderRequest(body);
    const context = deps.services();
    const { order, created } = await placeOrder(context, { keyId: viewer.keyId, partnerId: viewer.partnerId }, request).catch(domainError);
    if (created) {
      await recordAudit(context.prisma, { viewer, operation: 'tmf641.createServiceOrder', operationName: null, arguments: auditArguments(request), resultType: 'ServiceOrder', resultId: order.id });
    }
    const document = tmfServiceOrder(c, order);
    c.header('Location', document['href'] as string);
    return c.json(document, 201);
  });

  routes.get('/serviceOrder', (c) =>
    listResponse(c, ORDER_QUERY, visibleOrders(c.get('viewer')), (where, query) => {
      const { prisma } = deps.services();
      return Promise.all([prisma.serviceOrder.count({ where }), prisma.serviceOrder.findMany({ where, include: itemsFor(query.fields), orderBy: query.orderBy, skip: query.offset, take: query.limit })]);
    }, (order) => tmfServiceOrder(c, order)),
  );

  routes.get('/serviceOrder/:id', async (c) => {
    const fields = parseFields(c.req.query('fields'));
    return c.json(selectFields(tmfServiceOrder(c, await findOrder(deps, c, c.req.param('id'), fields)), fields));
  });

  routes.patch('/serviceOrder/:id', limitedBody, async (c) => {
    const viewer = c.get('viewer');
    assertMayOrder(viewer);
    const order = await findOrder(deps, c, c.req.param('id'));
    const patch = await readJson(c, ['application/merge-patch+json', 'application/json']);
    assertMatchesSpec('serviceOrdering', 'ServiceOrder_Update', patch);
    const refused = Object.keys(patch).filter((name) => !PATCHABLE_ORDER_ATTRIBUTES.includes(name as never));
    if (refused.length > 0) {
      throw badRequest(`${refused.join(', ')} cannot be changed by a client (the engine drives states and items; cancel through cancelServiceOrder); patchable: ${PATCHABLE_ORDER_ATTRIBUTES.join(', ')}`, 'NOT_PATCHABLE');
    }
    // JSON merge patch (RFC 7386) of the client's own attributes: null removes one.
    const document = { ...(order.document as Record<string, unknown>) };
    for (const [name, value] of Object.entries(patch)) {
      if (value === null) delete document[name];
      else document[name] = value;
    }
    const { prisma } = deps.services();
    await prisma.serviceOrder.update({ where: { id: order.id }, data: { document: document as Prisma.InputJsonObject } });
    await recordAudit(prisma, { viewer, operation: 'tmf641.patchServiceOrder', operationName: null, arguments: { id: order.id, attributes: Object.keys(patch) }, resultType: 'ServiceOrder', resultId: order.id });
    return c.json(tmfServiceOrder(c, await loadOrder(prisma, order.id)));
  });

  routes.delete('/serviceOrder/:id', async (c) => {
    const viewer = c.get('viewer');
    assertMayOrder(viewer);
    const order = await findOrder(deps, c, c.req.param('id'));
    if (!isFinalOrder(order.state)) {
      throw new TmfError(409, 'ORDER_NOT_FINISHED', 'Conflict', `order ${order.id} is ${order.state}: only a finished order's record can be deleted; cancel it through cancelServiceOrder first`);
    }
    const { prisma } = deps.services();
    await prisma.serviceOrder.delete({ where: { id: order.id } });
    await recordAudit(prisma, { viewer, operation: 'tmf641.deleteServiceOrder', operationName: null, arguments: { id: order.id }, resultType: 'ServiceOrder', resultId: order.id });
    return c.body(null, 204);
  });
  return routes;
}

