import type { PrismaClient, Product } from '#generated/prisma/client.ts';
import type { InventoryKind } from '#generated/prisma/enums.ts';
import type { InventoryRequirement } from './requirements.ts';
import { apiId, type WebhookOutbox } from '../webhooks/index.ts';

export interface RequirementStock extends InventoryRequirement {
  /** AVAILABLE items that fit this requirement. */
  available: number;
}

/** How many more services a product's pool can provision, and whether that is below its alert threshold. */
export interface ProductPool {
  requirements: RequirementStock[];
  /** The scarcest requirement decides; null: the product needs no inventory. */
  provisionsLeft: number | null;
  alertBelow: number | null;
  low: boolean;
  /** When it went below the threshold (the alert's time). */
  lowSince: Date | null;
}

export interface PoolAlertDeps {
  prisma: PrismaClient;
  webhooks: WebhookOutbox;
}

export async function productPool(prisma: PrismaClient, product: Product): Promise<ProductPool> {
  const requirements = await Promise.all(
    requirementsOf(product).map(async (requirement) => {
      const [{ count }] = await prisma.$queryRawUnsafe<Array<{ count: number }>>(
        `SELECT count(*)::int AS count FROM "InventoryItem" WHERE kind = $1::"InventoryKind" AND status = 'AVAILABLE' AND attributes @> $2::jsonb`,
        requirement.kind,
        JSON.stringify(requirement.match),
      ) as [{ count: number }];
      return { ...requirement, available: count };
    }),
  );
  const provisionsLeft = requirements.length ? Math.min(...requirements.map((stock) => Math.floor(stock.available / stock.count))) : null;
  const low = product.poolAlertBelow !== null && provisionsLeft !== null && provisionsLeft < product.poolAlertBelow;
  return { requirements, provisionsLeft, alertBelow: product.poolAlertBelow, low, lowSince: product.poolLowSince };
}

/**
 * Checks the pools of products with an alert threshold after inventory changed (`kinds`; all
 * kinds when left out). A pool that goes below its threshold raises POOL_LOW once, with the
 * product marked low (a compare-and-set, so two processes noticing it alert once); it is
 * cleared when the pool is back at the threshold, and the next fall alerts again.
 */
export async function checkPoolAlerts(deps: PoolAlertDeps, scope: { kinds?: ReadonlySet<InventoryKind>; productId?: string } = {}): Promise<void> {
  const products = await deps.prisma.product.findMany({
    where: { archivedAt: null, ...(scope.productId ? { id: scope.productId } : { poolAlertBelow: { not: null } }) },
  });
  for (const product of products) {
    // Nothing to raise or to clear.
    if (product.poolAlertBelow === null && !product.poolLowSince) continue;
    if (scope.kinds && !requirementsOf(product).some((requirement) => scope.kinds!.has(requirement.kind))) continue;
    const pool = await productPool(deps.prisma, product);
    if (pool.low && !product.poolLowSince) {
      const deliveries = await deps.prisma.$transaction(async (tx) => {
        const { count } = await tx.product.updateMany({ where: { id: product.id, poolLowSince: null }, data: { poolLowSince: new Date() } });
        if (count === 0) return [];
        return deps.webhooks.record(tx, [
          {
            event: 'POOL_LOW',
            data: {
              product: { id: apiId('Product', product.id), slug: product.slug, name: product.name },
              provisionsLeft: pool.provisionsLeft,
              alertBelow: pool.alertBelow,
              requirements: pool.requirements.map(({ kind, count, match, available }) => ({ kind, count, match, available })),
            },
          },
        ]);
      });
      await deps.webhooks.schedule(deliveries);
    } else if (!pool.low && product.poolLowSince) {
      await deps.prisma.product.updateMany({ where: { id: product.id, poolLowSince: { not: null } }, data: { poolLowSince: null } });
    }
  }
}

// catalog/products.ts reads the same column (productDefinition) but imports this module: read here to keep the graph acyclic.
const requirementsOf = (product: Product) => (product.inventoryRequirements ?? []) as unknown as InventoryRequirement[];
