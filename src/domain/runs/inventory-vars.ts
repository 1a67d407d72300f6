import type { InventoryItem, PrismaClient } from '#generated/prisma/client.ts';
import type { InventoryKind } from '#generated/prisma/enums.ts';
import { inventoryKinds, type InventoryRequirement } from '../inventory/index.ts';
import { openValues, type SecretBox } from '../secrets/index.ts';
import { addedItemIds } from './action-items.ts';
import type { LoadedRun } from './status.ts';

/** What a playbook gets of the inventory (design notes: "Variables handed to a playbook"). */
export interface InventoryVariables {
  /** `inventory`: the service's items by kind, in the shape its product declares. */
  inventory: Record<string, unknown>;
  /** `action_inventory` of an ACTION run: the items it reserved and the ones it releases, by kind, always lists. */
  actionInventory?: { reserved: Record<string, unknown[]>; released: Record<string, unknown[]> };
  /** Opened secret attributes, for the runner to mask. */
  secrets: unknown[];
}

/**
 * `inventory` holds the items the service held before the run: for an ACTION run, not the ones it
 * just reserved (those are only in `action_inventory.reserved`), but still the ones it releases.
 * The items a service was provisioned with come first, then those actions added, in that order:
 * a kind the product needs once stays the provisioned item however many were added. A kind the
 * product does not need (added by an action) is a list.
 */
export async function inventoryVariables(
  deps: { prisma: PrismaClient; secrets: SecretBox },
  run: LoadedRun,
  requirements: InventoryRequirement[],
): Promise<InventoryVariables> {
  const secrets: unknown[] = [];
  const asVariables = (item: InventoryItem) => {
    const secretAttributes = openValues(deps.secrets, item.secretAttributes as Record<string, unknown>);
    secrets.push(...Object.values(secretAttributes));
    return { id: item.id, identifier: item.identifier, ...(item.attributes as Record<string, unknown>), ...secretAttributes };
  };
  const reservedNow = new Set(run.actionReservedItemIds);
  const items = run.service
    ? await inOrderHeld(deps.prisma, run.service.id, run.service.inventoryItems.filter((item) => !reservedNow.has(item.id)))
    : (await deps.prisma.inventoryItem.findMany({ where: { id: { in: run.previewInventoryIds } } })).sort((a, b) => a.identifier.localeCompare(b.identifier));

  const inventory: Record<string, unknown> = {};
  for (const requirement of requirements) {
    const ofKind = items.filter((item) => item.kind === requirement.kind).map(asVariables);
    inventory[variableName(requirement.kind)] = requirement.count === 1 ? (ofKind[0] ?? null) : ofKind;
  }
  const undeclared = items.filter((item) => !requirements.some((requirement) => requirement.kind === item.kind));
  for (const [name, ofKind] of Object.entries(byKind(undeclared))) inventory[name] = ofKind.map(asVariables);

  if (run.action !== 'ACTION' || !run.service) return { inventory, secrets };
  const ofRun = (ids: string[]) => run.service!.inventoryItems.filter((item) => ids.includes(item.id)).sort((a, b) => a.identifier.localeCompare(b.identifier));
  const grouped = (list: InventoryItem[]) => Object.fromEntries(Object.entries(byKind(list)).map(([name, ofKind]) => [name, ofKind.map(asVariables)]));
  return { inventory, actionInventory: { reserved: grouped(ofRun(run.actionReservedItemIds)), released: grouped(ofRun(run.actionReleasedItemIds)) }, secrets };
}

/** The service's items: the provisioned ones by identifier, then those actions added, oldest addition first. */
async function inOrderHeld(prisma: PrismaClient, serviceId: string, items: InventoryItem[]): Promise<InventoryItem[]> {
  const added = await addedItemIds(prisma, serviceId);
  const rank = (item: InventoryItem) => added.lastIndexOf(item.id);
  return [...items].sort((a, b) => rank(a) - rank(b) || a.identifier.localeCompare(b.identifier));
}

function byKind(items: InventoryItem[]): Record<string, InventoryItem[]> {
  const groups: Record<string, InventoryItem[]> = {};
  for (const item of items) (groups[variableName(item.kind)] ??= []).push(item);
  return groups;
}

const variableName = (kind: InventoryKind) => inventoryKinds[kind].variableName;
