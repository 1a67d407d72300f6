import type { InventoryItem, Prisma } from '#generated/prisma/client.ts';
import type { InventoryKind } from '#generated/prisma/enums.ts';
import { InsufficientInventoryError, InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import type { InventoryRequirement } from './requirements.ts';

type Tx = Prisma.TransactionClient;

/**
 * Chooses the items a provision gets: explicit ids first, then the first matching AVAILABLE items
 * per requirement (oldest first). With `lock`, rows are locked FOR UPDATE SKIP LOCKED so that
 * concurrent provisions on PostgreSQL take different items instead of waiting on each other.
 */
export async function pickItems(tx: Tx, requirements: InventoryRequirement[], explicitIds: string[], options: { lock: boolean }): Promise<InventoryItem[]> {
  if (options.lock && explicitIds.length) {
    // Lock before reading, so the AVAILABLE checks below stay true until commit.
    await tx.$queryRawUnsafe('SELECT id FROM "InventoryItem" WHERE id = ANY($1::uuid[]) FOR UPDATE', explicitIds);
  }
  const explicit = explicitIds.length ? await tx.inventoryItem.findMany({ where: { id: { in: explicitIds } } }) : [];
  for (const id of explicitIds) {
    const item = explicit.find((candidate) => candidate.id === id);
    if (!item) throw new NotFoundError('InventoryItem', id);
    const requirement = requirements.find((req) => req.kind === item.kind);
    if (!requirement) throw new ValidationError([{ path: 'inventoryItemIds', message: `${item.kind} ${item.identifier} is not a kind this product needs` }]);
    if (item.status !== 'AVAILABLE') throw new InvalidStateError(`${item.kind} ${item.identifier} is ${item.status}, not AVAILABLE`, item.status);
    if (!matches(item, requirement.match)) {
      throw new ValidationError([{ path: 'inventoryItemIds', message: `${item.kind} ${item.identifier} does not match ${JSON.stringify(requirement.match)}` }]);
    }
  }
  const chosen: InventoryItem[] = [];
  for (const requirement of requirements) {
    const given = explicit.filter((item) => item.kind === requirement.kind);
    if (given.length > requirement.count) {
      throw new ValidationError([{ path: 'inventoryItemIds', message: `${given.length} ${requirement.kind} items given; the product needs ${requirement.count}` }]);
    }
    chosen.push(...given);
    const missing = requirement.count - given.length;
    if (missing === 0) continue;
    const picked = await availableItems(tx, requirement.kind, requirement.match, missing, given.map((item) => item.id), options.lock);
    if (picked.length < missing) {
      const available = await tx.inventoryItem.count({ where: { kind: requirement.kind, status: 'AVAILABLE' } });
      throw new InsufficientInventoryError(requirement.kind, requirement.count, Math.min(available, picked.length + given.length));
    }
    chosen.push(...picked);
  }
  return chosen;
}

/** Item sets picked from the pool; `short` says which requirement ran out when fewer sets than asked were found. */
export interface PickedSets {
  sets: InventoryItem[][];
  short?: InsufficientInventoryError;
}

/**
 * Picks up to `sets` item sets at once, each what one provision of the product needs, from the
 * pool only (locked, as pickItems does): the sets of many provisions of one product in one query
 * per requirement. Fewer sets than asked when the pool runs short; none is not an error here.
 */
export async function pickItemSets(tx: Tx, requirements: InventoryRequirement[], sets: number): Promise<PickedSets> {
  let granted = sets;
  let limiting: InventoryRequirement | undefined;
  const picked = new Map<InventoryRequirement, InventoryItem[]>();
  for (const requirement of requirements) {
    const items = await availableItems(tx, requirement.kind, requirement.match, requirement.count * sets, [], true);
    picked.set(requirement, items);
    if (Math.floor(items.length / requirement.count) < granted) {
      granted = Math.floor(items.length / requirement.count);
      limiting = requirement;
    }
  }
  const result = Array.from({ length: granted }, (_, set) => requirements.flatMap((requirement) => picked.get(requirement)!.slice(set * requirement.count, (set + 1) * requirement.count)));
  if (!limiting) return { sets: result };
  const left = picked.get(limiting)!.length - granted * limiting.count;
  return { sets: result, short: new InsufficientInventoryError(limiting.kind, limiting.count, left) };
}

async function availableItems(tx: Tx, kind: InventoryKind, match: Record<string, unknown>, count: number, exclude: string[], lock: boolean): Promise<InventoryItem[]> {
  const rows = await tx.$queryRawUnsafe<Array<{ id: string }>>(
    `SELECT id FROM "InventoryItem"
      WHERE kind = $1::"InventoryKind" AND status = 'AVAILABLE' AND attributes @> $2::jsonb AND NOT (id = ANY($3::uuid[]))
      ORDER BY "createdAt", identifier
      LIMIT $4
      ${lock ? 'FOR UPDATE SKIP LOCKED' : ''}`,
    kind,
    JSON.stringify(match),
    exclude,
    count,
  );
  if (rows.length === 0) return [];
  const items = await tx.inventoryItem.findMany({ where: { id: { in: rows.map((row) => row.id) } } });
  return rows.map((row) => items.find((item) => item.id === row.id)!);
}

function matches(item: InventoryItem, match: Record<string, unknown>): boolean {
  const attributes = item.attributes as Record<string, unknown>;
  return Object.entries(match).every(([name, value]) => attributes[name] === value);
}

