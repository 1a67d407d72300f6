import type { PrismaClient, ServiceOrder, ServiceOrderItem } from '#generated/prisma/client.ts';

export type LoadedOrder = ServiceOrder & { items: ServiceOrderItem[] };

/** Items in the order the client listed them. */
export const ORDER_INCLUDE = { items: { orderBy: [{ position: 'asc' as const }] } };

export async function loadOrder(prisma: PrismaClient, orderId: string): Promise<LoadedOrder> {
  return prisma.serviceOrder.findUniqueOrThrow({ where: { id: orderId }, include: ORDER_INCLUDE });
}
