import type { PrismaClient, ServiceOrder, ServiceOrderItem } from '#generated/prisma/client.ts';
import type { ProvisioningDeps } from '../services/provisioning.ts';
import type { OrderEventFormat } from './events.ts';

/** What orders need of the app: what provisioning needs (they start its runs), and how their events read. */
export type OrderDeps = ProvisioningDeps & { orderEvents?: OrderEventFormat | undefined };

export type LoadedOrder = ServiceOrder & { items: ServiceOrderItem[] };

/** Items in the order the client listed them. */
export const ORDER_INCLUDE = { items: { orderBy: [{ position: 'asc' as const }] } };

export async function loadOrder(prisma: PrismaClient, orderId: string): Promise<LoadedOrder> {
  return prisma.serviceOrder.findUniqueOrThrow({ where: { id: orderId }, include: ORDER_INCLUDE });
}
