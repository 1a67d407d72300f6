import { InventoryStatus } from '#generated/prisma/enums.ts';
import { filter, pipe } from '@graphql-yoga/subscription';
import type { Prisma } from '#generated/prisma/client.ts';
import { visibleInventory } from '../domain/access/viewer.ts';
import { InvalidStateError, InventoryImportError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { addInventoryItems, poolCounts, releaseInventoryItem, retireInventoryItem, type inventoryKinds, productPool, type ProductPool, type RequirementStock } from '../domain/inventory/index.ts';
import type { PoolCountsMessage } from '../domain/ports/event-bus.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';
import { InventoryKindEnum } from './products.ts';

export const InventoryStatusEnum = builder.enumType(InventoryStatus, {
  name: 'InventoryStatus',
  description:
    'AVAILABLE → RESERVED (a provision run holds it) → IN_USE → AVAILABLE. QUARANTINED when its real state is unknown (only an operator releases it); RETIRED is out of the pool.',
});

export const InventoryItemRef = builder.prismaNode('InventoryItem', {
  id: { field: 'id' },
  // node(id) finds only items the caller may see (a partner's: those its services hold).
  findUnique: (id, ctx) => ({ id, AND: [visibleInventory(ctx.viewer)] }),
  nullable: true,
  description: 'One resource in a pool: a SIM, a modem, an IP block, a phone number.',
  fields: (t) => ({
    kind: t.expose('kind', { type: InventoryKindEnum }),
    identifier: t.exposeString('identifier', { description: 'ICCID, serial number, CIDR or E.164 number, normalised.' }),
    attributes: t.field({
      type: 'JSONObject',
      description: 'Public attributes. Secret attributes (a SIM\'s Ki and OPc) are write-only and never returned.',
      resolve: (item) => item.attributes as Record<string, unknown>,
    }),
    secretAttributesSet: t.stringList({
      description: 'Names of the secret attributes that hold a value (the values themselves are never returned).',
      select: { secretAttributes: true },
      resolve: (item) => Object.keys((item.secretAttributes ?? {}) as Record<string, unknown>),
    }),
    status: t.expose('status', { type: InventoryStatusEnum }),
    statusReason: t.exposeString('statusReason', { nullable: true }),
    service: t.relation('service', { nullable: true, description: 'The service holding this item, if any.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const InventoryFilter = builder.inputType('InventoryFilter', {
  fields: (t) => ({
    kind: t.field({ type: InventoryKindEnum }),
    status: t.field({ type: InventoryStatusEnum }),
    search: t.string({ description: 'Substring of the identifier (case-insensitive).' }),
  }),
});

const InventoryPoolRef = builder.objectRef<PoolCountsMessage>('InventoryPool').implement({
  description: 'How many items of one kind are in each state.',
  fields: (t) => ({
    kind: t.field({ type: InventoryKindEnum, resolve: (pool) => pool.kind as keyof typeof inventoryKinds }),
    available: t.exposeInt('available'),
    reserved: t.exposeInt('reserved'),
    inUse: t.exposeInt('inUse'),
    quarantined: t.exposeInt('quarantined'),
    retired: t.exposeInt('retired'),
    total: t.int({ resolve: (pool) => pool.available + pool.reserved + pool.inUse + pool.quarantined + pool.retired }),
  }),
});

function inventoryWhere(filter: { kind?: keyof typeof inventoryKinds | null; status?: InventoryStatus | null; search?: string | null } | null | undefined): Prisma.InventoryItemWhereInput {
  return {
    ...(filter?.kind ? { kind: filter.kind } : {}),
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.search ? { identifier: { contains: filter.search, mode: 'insensitive' as const } } : {}),
  };
}

builder.queryFields((t) => ({
  inventoryItems: t.prismaConnection({
    type: 'InventoryItem',
    cursor: 'id',
    authScopes: { staff: true },
    args: { filter: t.arg({ type: InventoryFilter }) },
    totalCount: (_parent, args, ctx) => ctx.prisma.inventoryItem.count({ where: inventoryWhere(args.filter) }),
    resolve: (query, _parent, args, ctx) =>
      ctx.prisma.inventoryItem.findMany({ ...query, where: inventoryWhere(args.filter), orderBy: [{ kind: 'asc' }, { identifier: 'asc' }, { id: 'asc' }] }),
  }),
  inventoryPools: t.field({
    type: [InventoryPoolRef],
    authScopes: { staff: true },
    description: 'Counts per kind and status, every kind listed.',
    resolve: (_parent, _args, ctx) => poolCounts(ctx.prisma),
  }),
}));

const NewInventoryItemInput = builder.inputType('NewInventoryItemInput', {
  fields: (t) => ({
    kind: t.field({ type: InventoryKindEnum, required: true }),
    identifier: t.string({ required: true }),
    attributes: t.field({
      type: 'JSONObject',
      description: 'SIM: imsi, ki*, opc*; MODEM: mac, model; others free-form. * secret: stored write-only.',
    }),
  }),
});


builder.mutationFields((t) => ({
  addInventoryItems: t.field({
    type: 'Int',
    description: 'Adds up to 10,000 items, all or nothing. Returns how many were added, or every bad row.',
    authScopes: { operator: true },
    args: { items: t.arg({ type: [NewInventoryItemInput], required: true }) },
    errors: { types: errorTypes(ValidationError, InventoryImportError), dataField: { name: 'added' } },
    resolve: (_parent, { items }, ctx) => addInventoryItems(ctx, items),
  }),
  retireInventoryItem: t.field({
    type: InventoryItemRef,
    authScopes: { operator: true },
    args: { id: t.arg.globalID({ required: true }), reason: t.arg.string() },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'item' } },
    resolve: (_parent, { id, reason }, ctx) => retireInventoryItem(ctx, expectType(id, 'InventoryItem'), reason),
  }),
  releaseInventoryItem: t.field({
    type: InventoryItemRef,
    description: 'Operator action: a QUARANTINED item is known to be free again and returns to the pool.',
    authScopes: { operator: true },
    args: { id: t.arg.globalID({ required: true }), reason: t.arg.string() },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'item' } },
    resolve: (_parent, { id, reason }, ctx) => releaseInventoryItem(ctx, expectType(id, 'InventoryItem'), reason),
  }),
}));

builder.subscriptionFields((t) => ({
  inventoryPoolChanged: t.field({
    type: InventoryPoolRef,
    description: 'Fresh counts for a kind whenever its pool changes.',
    authScopes: { staff: true },
    args: { kind: t.arg({ type: InventoryKindEnum }) },
    subscribe: (_parent, args, ctx) => pipe(ctx.events.subscribe('inventory:pool'), filter((pool) => !args.kind || pool.kind === args.kind)),
    resolve: (pool) => pool,
  }),
}));

const RequirementStockRef = builder.objectRef<RequirementStock>('RequirementStock').implement({
  description: 'One inventory requirement of a product and the AVAILABLE items that fit it.',
  fields: (t) => ({
    kind: t.field({ type: InventoryKindEnum, resolve: (stock) => stock.kind }),
    count: t.exposeInt('count', { description: 'Items one service takes.' }),
    match: t.field({ type: 'JSONObject', resolve: (stock) => stock.match }),
    available: t.exposeInt('available'),
  }),
});

const ProductPoolRef = builder.objectRef<ProductPool>('ProductPool').implement({
  description: 'How many more services a product\'s pool can provision; low below its poolAlertBelow (a POOL_LOW webhook fires when it falls below).',
  fields: (t) => ({
    requirements: t.field({ type: [RequirementStockRef], resolve: (pool) => pool.requirements }),
    provisionsLeft: t.exposeInt('provisionsLeft', { nullable: true, description: 'The scarcest requirement decides; null: the product needs no inventory.' }),
    alertBelow: t.exposeInt('alertBelow', { nullable: true }),
    low: t.exposeBoolean('low'),
    lowSince: t.expose('lowSince', { type: 'DateTime', nullable: true, description: 'When the pool fell below the threshold (the alert\'s time).' }),
  }),
});

builder.prismaObjectFields('Product', (t) => ({
  poolAlertBelow: t.exposeInt('poolAlertBelow', { nullable: true, authScopes: { staff: true }, description: 'POOL_LOW when the pool can provision fewer services than this; null: no alert. Staff only.' }),
  pool: t.field({
    type: ProductPoolRef,
    authScopes: { staff: true },
    description: 'Stock left for new services of this product. Staff only.',
    // The counts are read per product: a list of products asks for them once each.
    complexity: 5,
    resolve: (product, _args, ctx) => productPool(ctx.prisma, product),
  }),
}));

builder.queryFields((t) => ({
  lowPools: t.prismaField({
    type: ['Product'],
    authScopes: { staff: true },
    description: 'Products whose pool is below its poolAlertBelow now (each raised a POOL_LOW), longest low first (at most 100). Staff only.',
    resolve: (query, _parent, _args, ctx) =>
      ctx.prisma.product.findMany({ ...query, where: { archivedAt: null, poolLowSince: { not: null } }, orderBy: [{ poolLowSince: 'asc' }], take: 100 }),
  }),
}));
