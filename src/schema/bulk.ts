import type { RunAction } from '#generated/prisma/enums.ts';
import { isStaff } from '../domain/access/viewer.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { apiId } from '../domain/webhooks/index.ts';
import { bulkProgress, bulkState, cancelBulkOperation, MAX_BULK_SERVICES, startBulkOperation, type BulkProgress } from '../domain/services/index.ts';
import { builder } from './builder.ts';
import { errorTypes, expectType } from './errors.ts';
import { RevisionChoiceEnum } from './revisions.ts';
import { SyncStateEnum } from './services.ts';

// Bulk day-2 operations: a sync check or re-deploy of a product's, a target's or a listed set of
// services, as one operation with its progress and its cancel. Operators start them; staff read.

const BulkKindEnum = builder.enumType('BulkOperationKind', { values: ['CHECK_SYNC', 'REDEPLOY'] as const, description: 'What a bulk operation runs on each service.' });
const BulkStateEnum = builder.enumType('BulkOperationState', { values: ['RUNNING', 'DONE', 'CANCELLED'] as const, description: 'RUNNING while a run of it is queued or running; DONE when all ended; CANCELLED once cancelled (its runs that had not ended were cancelled).' });

const BulkProgressRef = builder.objectRef<BulkProgress>('BulkOperationProgress').implement({
  description: 'Counts of the operation\'s runs (one per service started).',
  fields: (t) => ({
    total: t.exposeInt('total'),
    queued: t.exposeInt('queued'),
    running: t.exposeInt('running'),
    done: t.exposeInt('done', { description: 'Ended, whatever the outcome.' }),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed', { description: 'Ended otherwise than SUCCEEDED (failed, rolled back, stopped, cancelled); for checks: could not tell.' }),
    inSync: t.exposeInt('inSync', { description: 'Checks: services found in sync.' }),
    drifted: t.exposeInt('drifted', { description: 'Checks: services found drifted.' }),
  }),
});

// `progress` and `state` of one operation in one response read its runs once: the parent object is the key.
const progressRead = new WeakMap<object, Promise<BulkProgress>>();
function progressOf(prisma: Parameters<typeof bulkProgress>[0], bulk: { id: string }): Promise<BulkProgress> {
  let progress = progressRead.get(bulk);
  if (!progress) progressRead.set(bulk, (progress = bulkProgress(prisma, bulk.id)));
  return progress;
}

export const BulkOperationRef = builder.prismaNode('BulkOperation', {
  id: { field: 'id' },
  // Staff only: node(id) finds nothing for a partner.
  findUnique: (id, ctx) => (isStaff(ctx.viewer) ? { id } : { id, AND: [{ id: { in: [] } }] }),
  nullable: true,
  description: 'A sync check or re-deploy of many services: one run each, paced by the run queue and its limits.',
  fields: (t) => ({
    kind: t.field({ type: BulkKindEnum, resolve: (bulk) => bulk.kind as 'CHECK_SYNC' | 'REDEPLOY' }),
    selection: t.field({
      type: 'JSONObject',
      description: 'The selection as given: productSlug, targetName, syncState, serviceIds.',
      resolve: (bulk) => {
        const selection = bulk.selection as { serviceIds?: string[] | null };
        return { ...selection, ...(selection.serviceIds ? { serviceIds: selection.serviceIds.map((id) => apiId('Service', id)) } : {}) };
      },
    }),
    revision: t.expose('revision', { type: RevisionChoiceEnum }),
    skipped: t.exposeInt('skipped', { description: 'Services selected but not started: not ACTIVE, or another run was active on them.' }),
    progress: t.field({ type: BulkProgressRef, resolve: (bulk, _args, ctx) => progressOf(ctx.prisma, bulk) }),
    state: t.field({ type: BulkStateEnum, resolve: async (bulk, _args, ctx) => bulkState(bulk, await progressOf(ctx.prisma, bulk)) }),
    runs: t.relatedConnection('runs', { cursor: 'id', totalCount: true, query: { orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    cancelledAt: t.expose('cancelledAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  bulkOperations: t.prismaConnection({
    type: 'BulkOperation',
    cursor: 'id',
    description: 'Newest first. Staff only.',
    authScopes: { staff: true },
    totalCount: (_parent, _args, ctx) => ctx.prisma.bulkOperation.count(),
    resolve: (query, _parent, _args, ctx) => ctx.prisma.bulkOperation.findMany({ ...query, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] }),
  }),
}));

const StartBulkOperationInput = builder.inputType('StartBulkOperationInput', {
  description: 'Which services: at least one criterion; several combine (a product\'s DRIFTED services).',
  fields: (t) => ({
    kind: t.field({ type: BulkKindEnum, required: true }),
    productSlug: t.string(),
    targetName: t.string({ description: 'The services of products on this target.' }),
    serviceIds: t.globalIDList({ description: `At most ${MAX_BULK_SERVICES}.` }),
    syncState: t.field({ type: SyncStateEnum }),
    revision: t.field({ type: RevisionChoiceEnum, defaultValue: 'OWN', description: 'CURRENT: checks preview, re-deploys apply, the product\'s current revision (an upgrade of them all).' }),
  }),
});

builder.mutationFields((t) => ({
  startBulkOperation: t.field({
    type: BulkOperationRef,
    description: `Checks or re-deploys every selected service that is ACTIVE with no other run active on it (the others are counted as skipped): one run each, queued at once and paced by the product's and target's limits. At most ${MAX_BULK_SERVICES} services. Operators only.`,
    authScopes: { operator: true },
    args: { input: t.arg({ type: StartBulkOperationInput, required: true }) },
    errors: { types: errorTypes(ValidationError, NotFoundError), dataField: { name: 'bulkOperation' } },
    resolve: (_parent, { input: { kind, revision, ...selection } }, ctx) =>
      startBulkOperation(ctx, {
        kind: kind as RunAction,
        revision,
        selection: { ...selection, serviceIds: selection.serviceIds?.map((id) => expectType(id, 'Service')) },
        keyId: ctx.viewer.keyId,
      }),
  }),
  cancelBulkOperation: t.field({
    type: BulkOperationRef,
    description: 'Cancels a bulk operation: its queued runs never start, its running ones are stopped as cancelRun stops them. Operators only.',
    authScopes: { operator: true },
    args: { id: t.arg.globalID({ required: true }) },
    errors: { types: errorTypes(NotFoundError), dataField: { name: 'bulkOperation' } },
    resolve: (_parent, { id }, ctx) => cancelBulkOperation(ctx, expectType(id, 'BulkOperation')),
  }),
}));
