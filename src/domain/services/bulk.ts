import type { BulkOperation, Prisma, Product } from '#generated/prisma/client.ts';
import type { RevisionChoice, RunAction, SyncState } from '#generated/prisma/enums.ts';
import { DomainError, NotFoundError, ValidationError } from '../errors.ts';
import { ACTIVE_RUN_STATUSES, cancelRun, enqueueRuns, redeployRun, syncCheckRun, type RunControlDeps } from '../runs/index.ts';
import { productsAtRevisions, revisionKey, storedSchedule, type SyncSchedule } from '../catalog/index.ts';
import type { ProvisioningDeps } from './provision-steps.ts';

// A sync check or re-deploy of many services as one operation: every selected service that can
// take it gets its run at once, in one transaction, and the run queue does the pacing (the
// product's and the target's limits hold as for any run). Progress is read from the runs.

/** Which services: at least one criterion; they combine (a product's DRIFTED services). */
export interface BulkSelection {
  productSlug?: string | null | undefined;
  targetName?: string | null | undefined;
  serviceIds?: string[] | null | undefined;
  syncState?: SyncState | null | undefined;
}

export const MAX_BULK_SERVICES = 10_000;

const BULK_KINDS: readonly RunAction[] = ['CHECK_SYNC', 'REDEPLOY'];

function selectionWhere(selection: BulkSelection): Prisma.ServiceWhereInput {
  const product: Prisma.ProductWhereInput = {
    ...(selection.productSlug ? { slug: selection.productSlug } : {}),
    ...(selection.targetName ? { target: { name: selection.targetName } } : {}),
  };
  return {
    ...(Object.keys(product).length > 0 ? { product } : {}),
    ...(selection.serviceIds ? { id: { in: selection.serviceIds } } : {}),
    ...(selection.syncState ? { syncState: selection.syncState } : {}),
  };
}

function checkedSelection(kind: RunAction, selection: BulkSelection): void {
  if (!BULK_KINDS.includes(kind)) throw new ValidationError([{ path: 'kind', message: `a bulk operation is ${BULK_KINDS.join(' or ')}` }]);
  if (!selection.productSlug && !selection.targetName && !selection.serviceIds && !selection.syncState) {
    throw new ValidationError([{ path: 'selection', message: 'name the services: a product, a target, service ids or a sync state (or several)' }]);
  }
  if (selection.serviceIds && (selection.serviceIds.length === 0 || selection.serviceIds.length > MAX_BULK_SERVICES)) {
    throw new ValidationError([{ path: 'selection.serviceIds', message: `1 to ${MAX_BULK_SERVICES} service ids` }]);
  }
}

/** A product or target named that does not exist is the caller's typo, not an empty selection. */
async function assertNamesExist(deps: ProvisioningDeps, selection: BulkSelection): Promise<void> {
  if (selection.productSlug && !(await deps.prisma.product.findUnique({ where: { slug: selection.productSlug }, select: { id: true } }))) throw new NotFoundError('Product', selection.productSlug);
  if (selection.targetName && !(await deps.prisma.target.findUnique({ where: { name: selection.targetName }, select: { id: true } }))) throw new NotFoundError('Target', selection.targetName);
}

/**
 * Starts a bulk check or re-deploy: one run per selected service that is ACTIVE with no other run
 * active on it (the rule of a single check or re-deploy, applied under the same row locks); the
 * others are counted as skipped. More than MAX_BULK_SERVICES selected is refused, not truncated.
 */
export async function startBulkOperation(
  deps: ProvisioningDeps,
  request: { kind: RunAction; selection: BulkSelection; keyId: string | null; revision?: RevisionChoice | null | undefined },
): Promise<BulkOperation> {
  checkedSelection(request.kind, request.selection);
  await assertNamesExist(deps, request.selection);
  const where = selectionWhere(request.selection);
  const selected = await deps.prisma.service.count({ where });
  if (selected > MAX_BULK_SERVICES) throw new ValidationError([{ path: 'selection', message: `${selected} services selected; a bulk operation takes at most ${MAX_BULK_SERVICES}: narrow it` }]);
  const { bulk, queued } = await deps.prisma.$transaction(async (tx) => {
    const ids = (await tx.service.findMany({ where, select: { id: true } })).map((service) => service.id);
    // The same lock a single check or re-deploy takes: no run slips in between the checks below and the inserts.
    if (ids.length > 0) await tx.$queryRawUnsafe('SELECT id FROM "Service" WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', ids);
    const busy = new Set((await tx.provisioningRun.findMany({ where: { serviceId: { in: ids }, status: { in: [...ACTIVE_RUN_STATUSES] } }, select: { serviceId: true } })).map((run) => run.serviceId));
    const services = (await tx.service.findMany({ where: { id: { in: ids }, status: 'ACTIVE' }, include: { product: true } })).filter((service) => !busy.has(service.id));
    const bulk = await tx.bulkOperation.create({
      data: { kind: request.kind, revision: request.revision ?? 'OWN', selection: request.selection as Prisma.InputJsonObject, skipped: ids.length - services.length, createdByKeyId: request.keyId },
    });
    const runOf = request.kind === 'CHECK_SYNC' ? syncCheckRun : redeployRun;
    const revisionOf = (service: (typeof services)[number]) => (request.revision === 'CURRENT' ? service.product.revision : service.productRevision);
    const atRevision = await productsAtRevisions(tx, services.map((service) => ({ product: service.product, revision: revisionOf(service) })));
    const runs = await tx.provisioningRun.createManyAndReturn({
      data: services.map((service) => ({ ...runOf(deps, service, atRevision.get(revisionKey(service.productId, revisionOf(service)))!), bulkOperationId: bulk.id })),
      select: { id: true, productId: true },
    });
    return { bulk, queued: { runs, products: new Map(services.map((service) => [service.productId, service.product])) } };
  });
  await queueByProduct(deps, queued.runs, queued.products);
  return bulk;
}

async function queueByProduct(deps: ProvisioningDeps, runs: Array<{ id: string; productId: string }>, products: Map<string, Product>): Promise<void> {
  for (const [productId, ofProduct] of Map.groupBy(runs, (run) => run.productId)) {
    await enqueueRuns(deps, productId, ofProduct.map((run) => run.id), products.get(productId)!);
  }
}

/** How far a bulk operation is, from its runs. */
export interface BulkProgress {
  total: number;
  queued: number;
  running: number;
  /** Runs ended, whatever their outcome. */
  done: number;
  succeeded: number;
  /** Runs that ended otherwise than SUCCEEDED (failed, rolled back, stopped, cancelled). */
  failed: number;
  /** Checks only: services found in sync, and drifted. */
  inSync: number;
  drifted: number;
}

export async function bulkProgress(prisma: ProvisioningDeps['prisma'], bulkId: string): Promise<BulkProgress> {
  const [byStatus, drifted] = await Promise.all([
    prisma.provisioningRun.groupBy({ by: ['status'], where: { bulkOperationId: bulkId }, _count: { _all: true } }),
    prisma.provisioningRun.count({ where: { bulkOperationId: bulkId, action: 'CHECK_SYNC', status: 'SUCCEEDED', changedCount: { gt: 0 } } }),
  ]);
  const count = (statuses: readonly string[]) => byStatus.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + row._count._all, 0);
  const total = count(byStatus.map((row) => row.status));
  const queued = count(['QUEUED']);
  const running = count(['RUNNING']);
  const succeeded = count(['SUCCEEDED']);
  const checks = await prisma.provisioningRun.count({ where: { bulkOperationId: bulkId, action: 'CHECK_SYNC', status: 'SUCCEEDED' } });
  return { total, queued, running, done: total - queued - running, succeeded, failed: total - queued - running - succeeded, inSync: checks - drifted, drifted };
}

/** RUNNING while a run of it is queued or running, then DONE; CANCELLED once cancelled. */
export function bulkState(bulk: Pick<BulkOperation, 'cancelledAt'>, progress: Pick<BulkProgress, 'queued' | 'running'>): 'RUNNING' | 'DONE' | 'CANCELLED' {
  if (bulk.cancelledAt) return 'CANCELLED';
  return progress.queued + progress.running > 0 ? 'RUNNING' : 'DONE';
}

/** Cancels what has not ended: queued runs never start, running ones are stopped (the engine's way, as cancelRun). */
export async function cancelBulkOperation(deps: RunControlDeps, bulkId: string): Promise<BulkOperation> {
  const { count } = await deps.prisma.bulkOperation.updateMany({ where: { id: bulkId, cancelledAt: null }, data: { cancelledAt: new Date() } });
  const bulk = await deps.prisma.bulkOperation.findUnique({ where: { id: bulkId } });
  if (!bulk) throw new NotFoundError('BulkOperation', bulkId);
  if (count === 0) return bulk;
  // From the mark on, no worker takes a run of it (claimRun): the running ones are stopped
  // first, while they still run; then the queued ones are cancelled, oldest first.
  const open = await deps.prisma.provisioningRun.findMany({ where: { bulkOperationId: bulkId, status: { in: [...ACTIVE_RUN_STATUSES] } }, select: { id: true, status: true }, orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }] });
  open.sort((a, b) => Number(b.status === 'RUNNING') - Number(a.status === 'RUNNING'));
  for (const run of open) {
    // A run that ended meanwhile is no longer cancellable (InvalidStateError): that is not this request's failure.
    await cancelRun(deps, run.id).catch((error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
    });
  }
  return bulk;
}


/** A product's scheduled audit: a bulk check of its ACTIVE services; an archived, unscheduled or empty product's is skipped. */
export async function runSyncAudit(deps: ProvisioningDeps, productId: string): Promise<BulkOperation | undefined> {
  const product = await deps.prisma.product.findUnique({ where: { id: productId }, select: { slug: true, archivedAt: true, syncCheckCron: true } });
  if (!product || product.archivedAt || !product.syncCheckCron) return undefined;
  if ((await deps.prisma.service.count({ where: { productId, status: 'ACTIVE' } })) === 0) return undefined;
  const bulk = await startBulkOperation(deps, { kind: 'CHECK_SYNC', selection: { productSlug: product.slug }, keyId: null });
  deps.logger.info({ productId, bulkOperationId: bulk.id }, 'scheduled sync audit started');
  return bulk;
}

/** Every product's audit schedule, for a scheduler starting up. */
export async function scheduledAudits(prisma: ProvisioningDeps['prisma']): Promise<Array<{ productId: string; schedule: SyncSchedule }>> {
  const products = await prisma.product.findMany({ where: { syncCheckCron: { not: null }, archivedAt: null }, select: { id: true, syncCheckCron: true, syncCheckTimeZone: true } });
  return products.map((product) => ({ productId: product.id, schedule: storedSchedule(product)! }));
}
