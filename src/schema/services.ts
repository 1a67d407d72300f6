import { ServiceStatus, SyncState } from '#generated/prisma/enums.ts';
import type { Prisma } from '#generated/prisma/client.ts';
import { visibleServices } from '../domain/access/viewer.ts';
import { ConflictError, InsufficientInventoryError, InvalidStateError, NotFoundError, TargetUnreachableError, ValidationError } from '../domain/errors.ts';
import { deprovisionService, provisionService, type RunStarted } from '../domain/services/index.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType, nodeIdOf } from './errors.ts';
import { ProvisioningRunRef } from './runs.ts';

export const ServiceStatusEnum = builder.enumType(ServiceStatus, {
  name: 'ServiceStatus',
  description:
    'PROVISIONING → ACTIVE → DEPROVISIONING → DEPROVISIONED; PROVISIONING → FAILED (rolled back cleanly); ACTIVE ↔ SUSPENDED through product actions; NEEDS_ATTENTION when a rollback, deprovision or action could not complete.',
});

export const SyncStateEnum = builder.enumType(SyncState, {
  name: 'SyncState',
  description: 'Whether the network still matches the service, by its last sync check: IN_SYNC (nothing would change), DRIFTED (the check\'s diffs say what would), UNKNOWN (never checked, or the check could not tell).',
});

export const ServiceRef = builder.prismaNode('Service', {
  id: { field: 'id' },
  // node(id) finds only services the caller may see (a partner's own).
  findUnique: (id, ctx) => ({ id, AND: [visibleServices(ctx.viewer)] }),
  nullable: true,
  description: 'One product provisioned for one customer.',
  fields: (t) => ({
    customerRef: t.exposeString('customerRef', { description: 'The operator\'s own customer reference.' }),
    status: t.expose('status', { type: ServiceStatusEnum }),
    statusReason: t.exposeString('statusReason', { nullable: true }),
    product: t.relation('product'),
    variables: t.field({
      type: 'JSONObject',
      description: 'Request variables (secret ones are never returned).',
      resolve: (service) => service.variables as Record<string, unknown>,
    }),
    outputs: t.field({
      type: 'JSONObject',
      description: 'What the provision playbook published with set_stats (e.g. an assigned APN or VLAN).',
      resolve: (service) => service.outputs as Record<string, unknown>,
    }),
    inventoryItems: t.relation('inventoryItems', { query: { orderBy: [{ kind: 'asc' }, { identifier: 'asc' }] } }),
    runs: t.relatedConnection('runs', { cursor: 'id', totalCount: true, query: { orderBy: [{ queuedAt: 'desc' }, { id: 'asc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const ServiceFilter = builder.inputType('ServiceFilter', {
  fields: (t) => ({
    status: t.field({ type: ServiceStatusEnum }),
    syncState: t.field({ type: SyncStateEnum }),
    customerRef: t.string(),
    productSlug: t.string(),
  }),
});

function serviceWhere(filter: { status?: ServiceStatus | null; syncState?: SyncState | null; customerRef?: string | null; productSlug?: string | null } | null | undefined): Prisma.ServiceWhereInput {
  return {
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.syncState ? { syncState: filter.syncState } : {}),
    ...(filter?.customerRef ? { customerRef: filter.customerRef } : {}),
    ...(filter?.productSlug ? { product: { slug: filter.productSlug } } : {}),
  };
}

builder.queryFields((t) => ({
  services: t.prismaConnection({
    type: 'Service',
    cursor: 'id',
    description: 'Newest first; a partner sees only its own services.',
    authScopes: { staff: true, partner: true },
    args: { filter: t.arg({ type: ServiceFilter }) },
    totalCount: (_parent, args, ctx) => ctx.prisma.service.count({ where: { AND: [serviceWhere(args.filter), visibleServices(ctx.viewer)] } }),
    resolve: (query, _parent, args, ctx) =>
      ctx.prisma.service.findMany({
        ...query,
        where: { AND: [serviceWhere(args.filter), visibleServices(ctx.viewer)] },
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      }),
  }),
  service: t.prismaField({
    type: 'Service',
    nullable: true,
    description: 'Null when no service has this id, or the caller may not see it.',
    authScopes: { staff: true, partner: true },
    args: { id: t.arg.globalID({ required: true }) },
    resolve: (query, _parent, args, ctx) => {
      const id = nodeIdOf(args.id, 'Service');
      return id ? ctx.prisma.service.findFirst({ ...query, where: { id, ...visibleServices(ctx.viewer) } }) : null;
    },
  }),
}));

const ProvisionServiceInput = builder.inputType('ProvisionServiceInput', {
  fields: (t) => ({
    productSlug: t.string({ required: true }),
    customerRef: t.string({ required: true, description: 'Your own reference for the customer.' }),
    variables: t.field({ type: 'JSONObject', description: 'Validated against the product\'s variableSchema.' }),
    inventoryItemIds: t.globalIDList({ description: 'Specific items to use; the rest are the first matching AVAILABLE ones.' }),
    idempotencyKey: t.string({ description: 'Retrying with the same key returns the same service and run instead of provisioning twice.' }),
    notBefore: t.field({ type: 'DateTime', description: 'Not before then: the run waits SCHEDULED (inventory reserved at once). Null or past: queued now.' }),
    notAfter: t.field({ type: 'DateTime', description: 'With notBefore: a scheduled run not started by then ends EXPIRED, its items back in the pool.' }),
    checkMode: t.boolean({
      defaultValue: false,
      description: 'Preview: runs the playbook with --check --diff, reserves nothing, creates no service, changes no state.',
    }),
  }),
});

export const RunStartedRef = builder.objectRef<RunStarted>('RunStarted').implement({
  description: 'A run was queued; follow it with the runEvents and runUpdated subscriptions.',
  fields: (t) => ({
    service: t.field({ type: ServiceRef, nullable: true, description: 'Null for a check-mode preview of a provision.', resolve: (started) => started.service }),
    run: t.field({ type: ProvisioningRunRef, resolve: (started) => started.run }),
  }),
});

builder.mutationFields((t) => ({
  provisionService: t.field({
    type: RunStartedRef,
    description: 'Reserves inventory and queues the provision playbook (or schedules it, with notBefore); returns at once. Partners: granted products only, and the pool chooses the items.',
    authScopes: { operator: true, partner: true },
    args: { input: t.arg({ type: ProvisionServiceInput, required: true }) },
    errors: {
      types: errorTypes(ValidationError, NotFoundError, InvalidStateError, InsufficientInventoryError, TargetUnreachableError, ConflictError),
      dataField: { name: 'started' },
    },
    resolve: (_parent, { input }, ctx) =>
      provisionService(ctx, {
        ...input,
        inventoryItemIds: input.inventoryItemIds?.map((id) => expectType(id, 'InventoryItem')),
        partnerId: ctx.viewer.partnerId,
      }),
  }),
  deprovisionService: t.field({
    type: RunStartedRef,
    description: 'Queues the deprovision playbook of an ACTIVE service (or schedules it, with notBefore); returns at once.',
    authScopes: { operator: true, partner: true },
    args: {
      id: t.arg.globalID({ required: true }),
      checkMode: t.arg.boolean({ defaultValue: false }),
      notBefore: t.arg({ type: 'DateTime', description: 'Not before then: the run waits SCHEDULED. Null or past: queued now.' }),
      notAfter: t.arg({ type: 'DateTime', description: 'With notBefore: a scheduled run not started by then ends EXPIRED.' }),
    },
    errors: { types: errorTypes(NotFoundError, InvalidStateError, ValidationError), dataField: { name: 'started' } },
    resolve: (_parent, { id, checkMode, notBefore, notAfter }, ctx) =>
      deprovisionService(ctx, { serviceId: expectType(id, 'Service'), checkMode, notBefore, notAfter, partnerId: ctx.viewer.partnerId }),
  }),
}));
