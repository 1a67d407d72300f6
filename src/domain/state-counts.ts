import type { PrismaClient } from '#generated/prisma/client.ts';
import type { StateCounts } from './ports/metrics.ts';

/** Runs by status and product, inventory by kind and status, the queue, webhook deliveries, services' sync states: for the metrics scrape. */
export async function stateCounts(prisma: PrismaClient): Promise<StateCounts> {
  const [runs, products, inventory, oldest, deliveries, sync] = await Promise.all([
    prisma.provisioningRun.groupBy({ by: ['status', 'productId'], _count: { _all: true } }),
    prisma.product.findMany({ select: { id: true, slug: true } }),
    prisma.inventoryItem.groupBy({ by: ['kind', 'status'], _count: { _all: true } }),
    prisma.provisioningRun.findFirst({ where: { status: 'QUEUED' }, orderBy: { queuedAt: 'asc' }, select: { queuedAt: true } }),
    prisma.webhookDelivery.groupBy({ by: ['status'], _count: { _all: true } }),
    prisma.service.groupBy({ by: ['syncState', 'productId'], where: { status: 'ACTIVE' }, _count: { _all: true } }),
  ]);
  const slugs = new Map(products.map((product) => [product.id, product.slug]));
  const queuedCount = runs.filter((row) => row.status === 'QUEUED').reduce((sum, row) => sum + row._count._all, 0);
  return {
    runs: runs.map((row) => ({ status: row.status, product: slugs.get(row.productId) ?? row.productId, count: row._count._all })),
    inventory: inventory.map((row) => ({ kind: row.kind, status: row.status, count: row._count._all })),
    queued: { count: queuedCount, oldestSeconds: oldest ? (Date.now() - oldest.queuedAt.getTime()) / 1000 : 0 },
    webhookDeliveries: deliveries.map((row) => ({ status: row.status, count: row._count._all })),
    servicesBySyncState: sync.map((row) => ({ syncState: row.syncState, product: slugs.get(row.productId) ?? row.productId, count: row._count._all })),
  };
}
