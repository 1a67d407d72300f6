import type { InventoryItem, Prisma, Product, Service } from '#generated/prisma/client.ts';
import type { InventoryKind } from '#generated/prisma/enums.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { pickItems } from '../inventory/index.ts';
import { productDefinition, type ProductAction } from '../catalog/index.ts';
import { addedItemIds } from '../runs/index.ts';

type Tx = Prisma.TransactionClient;

export interface HeldForAction {
  reservedIds: string[];
  releasedIds: string[];
  /** Kinds whose pool counts changed (reserved ones). */
  reservedKinds: Set<InventoryKind>;
}

/**
 * Within the transaction that queues an action (the service row locked): checks the items its
 * releases name and reserves the items it needs (AVAILABLE → RESERVED for the service, rows locked
 * and skipped when taken, so concurrent requests get different items). A short pool is an
 * InsufficientInventoryError and the transaction rolls back: nothing is queued.
 */
export async function holdActionInventory(
  tx: Tx,
  service: Service & { product: Product },
  action: ProductAction,
  variables: Record<string, unknown>,
): Promise<HeldForAction> {
  const released = await itemsToRelease(tx, service, action, variables);
  const reserved = await pickItems(tx, action.inventory.reserve, [], { lock: true });
  assertRequiredCountsKept(service.product, await tx.inventoryItem.findMany({ where: { serviceId: service.id, status: 'IN_USE' } }), released, reserved, action.name);
  if (reserved.length > 0) {
    // The status guard: an item no longer AVAILABLE is not counted, and everything rolls back.
    const { count } = await tx.inventoryItem.updateMany({
      where: { id: { in: reserved.map((item) => item.id) }, status: 'AVAILABLE' },
      data: { status: 'RESERVED', serviceId: service.id, statusReason: `reserved by action ${action.name}` },
    });
    if (count !== reserved.length) throw new ConflictError('inventory changed during the reservation; retry the request');
  }
  return { reservedIds: reserved.map((item) => item.id), releasedIds: released.map((item) => item.id), reservedKinds: new Set(reserved.map((item) => item.kind)) };
}

/** The items the action's releases name: each must be the service's and IN_USE. */
async function itemsToRelease(tx: Tx, service: Service, action: ProductAction, variables: Record<string, unknown>): Promise<InventoryItem[]> {
  const items: InventoryItem[] = [];
  const added = action.inventory.release.some((release) => release.addedOnly) ? new Set(await addedItemIds(tx, service.id)) : new Set<string>();
  for (const release of action.inventory.release) {
    const path = `variables.${release.variable}`;
    const identifier = variables[release.variable];
    if (typeof identifier !== 'string' || identifier === '') throw new ValidationError([{ path, message: `name the ${release.kind} to release (its identifier)` }]);
    const item = await tx.inventoryItem.findFirst({ where: { kind: release.kind, identifier, serviceId: service.id } });
    if (!item) throw new ValidationError([{ path, message: `${identifier} is not a ${release.kind} of this service` }]);
    if (item.status !== 'IN_USE') throw new ValidationError([{ path, message: `${release.kind} ${identifier} is ${item.status}, not IN_USE: only items in use can be released` }]);
    if (release.addedOnly && !added.has(item.id)) {
      throw new ValidationError([{ path, message: `${identifier} is the ${release.kind} the service was provisioned with; ${action.name} releases only ${release.kind} items an action added` }]);
    }
    items.push(item);
  }
  return items;
}

/** An action may not leave the service with fewer items of a kind than its product needs. */
function assertRequiredCountsKept(product: Product, inUse: InventoryItem[], released: InventoryItem[], reserved: InventoryItem[], actionName: string): void {
  for (const requirement of productDefinition(product).inventoryRequirements) {
    const ofKind = (items: InventoryItem[]) => items.filter((item) => item.kind === requirement.kind).length;
    const after = ofKind(inUse) - ofKind(released) + ofKind(reserved);
    if (ofKind(released) > 0 && after < requirement.count) {
      throw new ValidationError([{ path: 'variables', message: `${actionName} would leave the service with ${after} ${requirement.kind} items; its product needs ${requirement.count}` }]);
    }
  }
}
