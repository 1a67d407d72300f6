import { type z } from 'zod';
import type { Prisma, PrismaClient } from '#generated/prisma/client.ts';
import type { InventoryKind, InventoryStatus } from '#generated/prisma/enums.ts';
import type { EventBus, PoolCountsMessage } from '../ports/event-bus.ts';
import { InvalidStateError, InventoryImportError, NotFoundError, ValidationError, type InventoryRowIssue } from '../errors.ts';
import { inventoryKinds } from './kinds.ts';
import type { Logger } from '../../logger.ts';
import { checkPoolAlerts } from './pool-alerts.ts';
import { sealValues, type SecretBox } from '../secrets/index.ts';
import type { WebhookOutbox } from '../webhooks/index.ts';

export const MAX_INVENTORY_ROWS_PER_CALL = 10_000;

export interface NewInventoryItem {
  kind: InventoryKind;
  identifier: string;
  /** Public and secret attributes together: the kind's definition decides which are secret. */
  attributes?: Record<string, unknown> | null | undefined;
}

export interface InventoryDeps {
  prisma: PrismaClient;
  events: EventBus;
  secrets: SecretBox;
  webhooks: WebhookOutbox;
  logger: Logger;
}

interface ValidRow {
  index: number;
  kind: InventoryKind;
  identifier: string;
  attributes: Record<string, unknown>;
  secretAttributes: Record<string, unknown>;
}

/**
 * Adds items all-or-nothing: every row is validated and checked against the pool first, and any
 * bad row rejects the whole call with a report of every bad row.
 */
export async function addInventoryItems(deps: InventoryDeps, rows: NewInventoryItem[]): Promise<number> {
  if (rows.length === 0) throw new ValidationError([{ path: 'items', message: 'at least one item is required' }]);
  if (rows.length > MAX_INVENTORY_ROWS_PER_CALL) {
    throw new ValidationError([
      { path: 'items', message: `at most ${MAX_INVENTORY_ROWS_PER_CALL} items per call (got ${rows.length}); split the import` },
    ]);
  }
  const issues: InventoryRowIssue[] = [];
  const valid: ValidRow[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const result = validateRow(row);
    if ('message' in result) {
      issues.push({ index, identifier: row.identifier, message: result.message });
      return;
    }
    const key = `${row.kind}:${result.identifier}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ index, identifier: row.identifier, message: `duplicate of row ${first} in this request` });
      return;
    }
    seen.set(key, index);
    valid.push({ index, kind: row.kind, ...result });
  });

  for (const row of await findExisting(deps.prisma, valid)) {
    issues.push({ index: row.index, identifier: row.identifier, message: `a ${row.kind} with identifier ${row.identifier} already exists` });
  }
  if (issues.length > 0) throw new InventoryImportError(issues.sort((a, b) => a.index - b.index));

  try {
    await deps.prisma.inventoryItem.createMany({
      data: valid.map((row) => ({
        kind: row.kind,
        identifier: row.identifier,
        attributes: row.attributes as Prisma.InputJsonObject,
        secretAttributes: sealValues(deps.secrets, row.secretAttributes),
      })),
    });
  } catch (error) {
    // Another request added one of these identifiers between our check and the insert.
    if ((error as { code?: string }).code === 'P2002') {
      const raced = await findExisting(deps.prisma, valid);
      throw new InventoryImportError(
        raced.map((row) => ({ index: row.index, identifier: row.identifier, message: `a ${row.kind} with identifier ${row.identifier} already exists` })),
      );
    }
    throw error;
  }
  await publishPools(deps, new Set(valid.map((row) => row.kind)));
  return valid.length;
}

function validateRow(row: NewInventoryItem): Omit<ValidRow, 'index' | 'kind'> | { message: string } {
  const definition = inventoryKinds[row.kind];
  const identifier = definition.identifier.safeParse(row.identifier);
  if (!identifier.success) return { message: firstIssue(identifier.error, 'identifier') };
  const given = row.attributes ?? {};
  const secretGiven: Record<string, unknown> = {};
  const publicGiven: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    (definition.secretAttributeNames.includes(name) ? secretGiven : publicGiven)[name] = value;
  }
  const attributes = definition.attributes.safeParse(publicGiven);
  if (!attributes.success) return { message: firstIssue(attributes.error, 'attributes') };
  const secretAttributes = definition.secretAttributes.safeParse(secretGiven);
  if (!secretAttributes.success) return { message: firstIssue(secretAttributes.error, 'attributes') };
  return { identifier: identifier.data, attributes: attributes.data, secretAttributes: secretAttributes.data };
}

function firstIssue(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix === 'identifier' ? '' : prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

async function findExisting(prisma: PrismaClient, rows: ValidRow[]): Promise<ValidRow[]> {
  if (rows.length === 0) return [];
  const byKind = new Map<InventoryKind, ValidRow[]>();
  for (const row of rows) byKind.set(row.kind, [...(byKind.get(row.kind) ?? []), row]);
  const found: ValidRow[] = [];
  for (const [kind, kindRows] of byKind) {
    const existing = await prisma.inventoryItem.findMany({
      where: { kind, identifier: { in: kindRows.map((row) => row.identifier) } },
      select: { identifier: true },
    });
    const taken = new Set(existing.map((item) => item.identifier));
    found.push(...kindRows.filter((row) => taken.has(row.identifier)));
  }
  return found;
}

/** Takes an item out of the pool for good; only an item no service holds can be retired. */
export async function retireInventoryItem(deps: InventoryDeps, id: string, reason?: string | null) {
  return transition(deps, id, ['AVAILABLE', 'QUARANTINED'], 'RETIRED', reason ?? 'retired by operator');
}

/** The operator's word that a quarantined item is really free: it goes back to the pool. */
export async function releaseInventoryItem(deps: InventoryDeps, id: string, reason?: string | null) {
  return transition(deps, id, ['QUARANTINED'], 'AVAILABLE', reason ?? 'released by operator');
}

async function transition(deps: InventoryDeps, id: string, from: InventoryStatus[], to: InventoryStatus, reason: string) {
  // A conditional update, so a concurrent reservation cannot slip between check and write.
  const { count } = await deps.prisma.inventoryItem.updateMany({
    where: { id, status: { in: from } },
    data: { status: to, statusReason: reason, serviceId: null },
  });
  const item = await deps.prisma.inventoryItem.findUnique({ where: { id } });
  if (!item) throw new NotFoundError('InventoryItem', id);
  if (count === 0) {
    throw new InvalidStateError(`InventoryItem ${item.identifier} is ${item.status}; only ${from.join(' or ')} items can become ${to}`, item.status);
  }
  await publishPools(deps, new Set([item.kind]));
  return item;
}

export async function poolCounts(prisma: PrismaClient, kinds?: Iterable<InventoryKind>): Promise<PoolCountsMessage[]> {
  const wanted = kinds ? [...kinds] : (Object.keys(inventoryKinds) as InventoryKind[]);
  const groups = await prisma.inventoryItem.groupBy({
    by: ['kind', 'status'],
    where: { kind: { in: wanted } },
    _count: { _all: true },
  });
  return wanted.map((kind) => {
    const count = (status: InventoryStatus) => groups.find((g) => g.kind === kind && g.status === status)?._count._all ?? 0;
    return {
      kind,
      available: count('AVAILABLE'),
      reserved: count('RESERVED'),
      inUse: count('IN_USE'),
      quarantined: count('QUARANTINED'),
      retired: count('RETIRED'),
    };
  });
}

/** After a change to the pools of `kinds` (committed): fresh counts for subscribers, and pool alerts. */
export async function publishPools(deps: Pick<InventoryDeps, 'prisma' | 'events' | 'webhooks' | 'logger'>, kinds: Set<InventoryKind>): Promise<void> {
  for (const counts of await poolCounts(deps.prisma, kinds)) deps.events.publish('inventory:pool', counts);
  // The change itself is committed: a failed check is logged, and the next change checks again.
  await checkPoolAlerts(deps, { kinds }).catch((error: unknown) => deps.logger.warn({ err: error }, 'checking pool alerts failed'));
}
