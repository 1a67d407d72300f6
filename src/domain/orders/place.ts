import { createHash } from 'node:crypto';
import type { Prisma } from '#generated/prisma/client.ts';
import { ConflictError } from '../errors.ts';
import { sealValues } from '../secrets/index.ts';
import { canonicalJson } from '../services/canonical-json.ts';
import type { OrderDeps } from './deps.ts';
import { recordOrderChanges } from './events.ts';
import { loadOrder, ORDER_INCLUDE, type LoadedOrder } from './read.ts';
import { planOrder, type OrderRequest, type PlannedItem } from './plan.ts';
import { advanceOrder } from './progress.ts';

/** Who places an order: the key, and its partner (null: staff). */
export interface Orderer {
  keyId: string;
  partnerId: string | null;
}

const scopeOf = (orderer: Orderer) => orderer.partnerId ?? 'staff';

/** What makes two requests the same order: everything the client sent. */
const digestOf = (request: OrderRequest) => createHash('sha256').update(canonicalJson(request)).digest('hex');

async function existingOrder(deps: OrderDeps, orderer: Orderer, request: OrderRequest, digest: string): Promise<LoadedOrder | undefined> {
  if (!request.externalId) return undefined;
  const existing = await deps.prisma.serviceOrder.findUnique({ where: { scope_externalId: { scope: scopeOf(orderer), externalId: request.externalId } }, select: { id: true, requestDigest: true } });
  if (!existing) return undefined;
  if (existing.requestDigest !== digest) {
    throw new ConflictError(`externalId ${request.externalId} was already used for a different order (${existing.id}); choose a new externalId`);
  }
  // A retry racing the first request: once the first's items have started, both answer alike.
  await advanceOrder(deps, existing.id);
  return loadOrder(deps.prisma, existing.id);
}

/** The order and its items as stored: acknowledged, secret characteristics sealed. */
function orderRows(deps: OrderDeps, orderer: Orderer, request: OrderRequest, planned: PlannedItem[], digest: string): Prisma.ServiceOrderCreateInput {
  return {
    partner: orderer.partnerId ? { connect: { id: orderer.partnerId } } : undefined,
    scope: scopeOf(orderer),
    externalId: request.externalId ?? null,
    requestDigest: digest,
    document: request.document as Prisma.InputJsonObject,
    createdByKeyId: orderer.keyId,
    items: {
      create: planned.map((item, position) => ({
        itemId: item.request.itemId,
        position,
        action: item.request.action,
        productId: item.productId,
        service: item.serviceId ? { connect: { id: item.serviceId } } : undefined,
        actionName: item.actionName,
        customerRef: item.request.customerRef ?? null,
        variables: item.variables as Prisma.InputJsonObject,
        secretVariables: sealValues(deps.secrets, item.secretVariables),
        dependsOn: item.request.dependsOn,
        document: item.request.document as Prisma.InputJsonObject,
      })),
    },
  };
}

/**
 * Validates and stores an order (acknowledged), then starts the items that depend on nothing:
 * their inventory is reserved and their runs queued before this returns. An item that cannot
 * start (no inventory left, a service in the wrong state) is rejected with its reason; the
 * others go on. The same externalId with the same request returns the order it made.
 */
export async function placeOrder(deps: OrderDeps, orderer: Orderer, request: OrderRequest): Promise<{ order: LoadedOrder; created: boolean }> {
  const digest = digestOf(request);
  const retried = await existingOrder(deps, orderer, request, digest);
  if (retried) return { order: retried, created: false };
  const planned = await planOrder(deps.prisma, orderer.partnerId, request);
  let orderId: string;
  try {
    const { order, deliveries } = await deps.prisma.$transaction(async (tx) => {
      const order = await tx.serviceOrder.create({ data: orderRows(deps, orderer, request, planned, digest), include: ORDER_INCLUDE });
      return { order, deliveries: await recordOrderChanges(tx, deps, [{ kind: 'orderCreated', order }]) };
    });
    await deps.webhooks.schedule(deliveries);
    orderId = order.id;
  } catch (error) {
    // The same externalId posted twice at once: the second answers with the first's order.
    if ((error as { code?: string }).code === 'P2002') {
      const raced = await existingOrder(deps, orderer, request, digest);
      if (raced) return { order: raced, created: false };
    }
    throw error;
  }
  // The answer is the acknowledgement: the order as its items started, before any run moved it on.
  await advanceOrder(deps, orderId, { catchUp: false });
  const order = await loadOrder(deps.prisma, orderId);
  advanceOrder(deps, orderId).catch((error: unknown) => deps.logger.warn({ err: error, orderId }, 'advancing a placed order failed; the sweep will'));
  return { order, created: true };
}
