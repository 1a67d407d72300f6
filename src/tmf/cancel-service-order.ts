import { Hono } from 'hono';
import type { Prisma, ServiceOrderCancellation } from '#generated/prisma/client.ts';
import { CancellationState } from '#generated/prisma/enums.ts';
import { recordAudit } from '../domain/access/audit.ts';
import type { Viewer } from '../domain/access/viewer.ts';
import { cancelOrder } from '../domain/orders/index.ts';
import { equalityOnly, oneOf, parseFields, selectFields, type Queryable } from './conventions.ts';
import { hrefOf, listResponse, type Origin, type TmfDeps, type TmfEnv } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { isUuid } from './ids.ts';
import { ORDER_PATH } from './order-mapping.ts';
import { assertMayOrder, domainError, limitedBody, readJson } from './requests.ts';
import { assertMatchesSpec } from './validation.ts';

// TMF641 cancelServiceOrder: a request to cancel an order, a task with its own state.

const CANCEL_PATH = '/serviceOrdering/v4/cancelServiceOrder';

const visibleCancellations = (viewer: Viewer): Prisma.ServiceOrderCancellationWhereInput => (viewer.role === 'PARTNER' ? { partnerId: viewer.partnerId ?? '' } : {});

const CANCELLATION_QUERY: Queryable<Prisma.ServiceOrderCancellationWhereInput, Prisma.ServiceOrderCancellationOrderByWithRelationInput> = {
  filters: {
    id: (filter) => ({ id: { in: equalityOnly(filter).filter(isUuid) } }),
    state: (filter) => ({ state: { in: oneOf(filter, Object.values(CancellationState), 'a cancellation') } }),
    'serviceOrder.id': (filter) => ({ orderId: { in: equalityOnly(filter).filter(isUuid) } }),
  },
  sorts: {},
  tieBreak: { createdAt: 'asc' },
};

export function tmfCancellation(c: Origin, cancellation: ServiceOrderCancellation) {
  return {
    id: cancellation.id,
    href: hrefOf(c, `${CANCEL_PATH}/${cancellation.id}`),
    state: cancellation.state,
    ...(cancellation.cancellationReason ? { cancellationReason: cancellation.cancellationReason } : {}),
    ...(cancellation.requestedCancellationDate ? { requestedCancellationDate: cancellation.requestedCancellationDate.toISOString() } : {}),
    ...(cancellation.effectiveCancellationDate ? { effectiveCancellationDate: cancellation.effectiveCancellationDate.toISOString() } : {}),
    ...(cancellation.completionMessage ? { completionMessage: cancellation.completionMessage } : {}),
    serviceOrder: { id: cancellation.orderId, href: hrefOf(c, `${ORDER_PATH}/${cancellation.orderId}`), '@referredType': 'ServiceOrder' },
    '@type': 'CancelServiceOrder',
  };
}

export function cancelServiceOrderRoutes(deps: TmfDeps): Hono<TmfEnv> {
  const routes = new Hono<TmfEnv>();
  routes.post('/cancelServiceOrder', limitedBody, async (c) => {
    const viewer = c.get('viewer');
    assertMayOrder(viewer);
    const body = await readJson(c, ['application/json']);
    assertMatchesSpec('serviceOrdering', 'CancelServiceOrder_Create', body);
    const order = body['serviceOrder'] as { id: string };
    if (!isUuid(order.id)) throw notFound('serviceOrder', order.id);
    const requested = body['requestedCancellationDate'] as string | undefined;
    if (requested !== undefined && Number.isNaN(Date.parse(requested))) throw badRequest('requestedCancellationDate must be a date-time');
    const context = deps.services();
    const cancellation = await cancelOrder(context, { keyId: viewer.keyId, partnerId: viewer.partnerId }, {
      orderId: order.id,
      reason: body['cancellationReason'] as string | undefined,
      requestedCancellationDate: requested ? new Date(requested) : undefined,
    }).catch(domainError);
    await recordAudit(context.prisma, { viewer, operation: 'tmf641.cancelServiceOrder', operationName: null, arguments: { orderId: order.id, reason: body['cancellationReason'] ?? null }, resultType: 'CancelServiceOrder', resultId: cancellation.id });
    const document = tmfCancellation(c, cancellation);
    c.header('Location', document.href);
    return c.json(document, 201);
  });
  routes.get('/cancelServiceOrder', (c) =>
    listResponse(c, CANCELLATION_QUERY, visibleCancellations(c.get('viewer')), (where, query) => {
      const { prisma } = deps.services();
      return Promise.all([prisma.serviceOrderCancellation.count({ where }), prisma.serviceOrderCancellation.findMany({ where, orderBy: query.orderBy, skip: query.offset, take: query.limit })]);
    }, (cancellation) => tmfCancellation(c, cancellation)),
  );
  routes.get('/cancelServiceOrder/:id', async (c) => {
    const id = c.req.param('id');
    const cancellation = isUuid(id) ? await deps.services().prisma.serviceOrderCancellation.findFirst({ where: { id, ...visibleCancellations(c.get('viewer')) } }) : null;
    if (!cancellation) throw notFound('cancelServiceOrder', id);
    return c.json(selectFields(tmfCancellation(c, cancellation), parseFields(c.req.query('fields'))));
  });
  return routes;
}
