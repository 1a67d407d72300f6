import type { Prisma, Product, ProvisioningRun, Service } from '#generated/prisma/client.ts';
import type { RevisionChoice } from '#generated/prisma/enums.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import { ACTIVE_RUN_STATUSES, enqueueRun, redeployRun, syncCheckRun } from '../runs/index.ts';
import { productAtRevision } from '../catalog/index.ts';
import type { ProvisioningDeps } from './provision-steps.ts';

// Day-2 operations on a service: is the network still what was provisioned (a sync check), and
// make it so again (a re-deploy). Both run the product's provision playbook with the service's
// recorded variables, inventory and target: a check in check and diff mode, a re-deploy for real.

export interface SyncRequest {
  serviceId: string;
  /** Set when a partner asks: only its own services. */
  partnerId?: string | null | undefined;
  /**
   * Which product revision a check compares the network with, or a re-deploy applies: OWN (the
   * service's, the default) or CURRENT (the product's: what an upgrade would change).
   */
  revision?: RevisionChoice | null | undefined;
}

export interface RedeployRequest extends SyncRequest {
  /** A retried request with the same key returns the same run. */
  idempotencyKey?: string | null | undefined;
}

type LockedService = Service & { product: Product };

/** The product as at the revision a request chose for this service. */
async function productForRequest(tx: Prisma.TransactionClient, service: LockedService, revision: RevisionChoice | null | undefined): Promise<Product> {
  return productAtRevision(tx, service.product, revision === 'CURRENT' ? service.product.revision : service.productRevision);
}

/** The service, its row locked so that two requests cannot both pass the one-run-at-a-time check. */
async function lockedService(tx: Prisma.TransactionClient, request: SyncRequest): Promise<LockedService> {
  await tx.$queryRawUnsafe('SELECT id FROM "Service" WHERE id = $1::uuid FOR UPDATE', request.serviceId);
  const service = await tx.service.findUnique({ where: { id: request.serviceId }, include: { product: true } });
  if (!service || (request.partnerId && service.partnerId !== request.partnerId)) throw new NotFoundError('Service', request.serviceId);
  return service;
}

/** The run queued or running on a service, any kind (a check too), as a message names it ("check_sync run RUNNING"). */
async function activeRun(tx: Prisma.TransactionClient, serviceId: string): Promise<string | undefined> {
  const run = await tx.provisioningRun.findFirst({ where: { serviceId, status: { in: [...ACTIVE_RUN_STATUSES] } }, select: { action: true, actionName: true, status: true } });
  return run ? `${run.actionName ?? run.action.toLowerCase()} run ${run.status}` : undefined;
}

/**
 * Queues a sync check: the provision playbook in check and diff mode with what the service
 * recorded, at the service's own product revision or at the current one (an upgrade's preview,
 * which leaves `syncState` as it was). It changes nothing and holds no inventory; it runs only while nothing else runs on
 * the service (its verdict would describe a network in motion), and only on an ACTIVE service (a
 * suspended one differs from its provision by design). The run's end sets the service's
 * `syncState`: IN_SYNC (nothing would change), DRIFTED (something would), or UNKNOWN.
 */
export async function checkServiceSync(deps: ProvisioningDeps, request: SyncRequest): Promise<{ service: Service; run: ProvisioningRun }> {
  const started = await deps.prisma.$transaction(async (tx) => {
    const service = await lockedService(tx, request);
    if (service.status !== 'ACTIVE') throw new InvalidStateError(`only ACTIVE services are checked against the network; this one is ${service.status}`, service.status);
    const active = await activeRun(tx, service.id);
    if (active) throw new InvalidStateError(`the service has a ${active}: check it once that run ended`, service.status);
    const run = await tx.provisioningRun.create({ data: syncCheckRun(deps, service, await productForRequest(tx, service, request.revision)) });
    const { product, ...plain } = service;
    return { service: plain, run, product };
  });
  await enqueueRun(deps, started.run, started.product);
  return { service: started.service, run: started.run };
}

/**
 * Queues a re-deploy: the provision playbook again, for real, with the service's recorded inputs,
 * so that the network matches the record; with the CURRENT revision, it upgrades the service to
 * the product's current playbook and variables (its revision moves when it succeeds). One run per service at a time, like an action; a
 * rescued failure leaves the service as it was, an unrescued one NEEDS_ATTENTION (then a
 * re-deploy again is how it is retried). A finished re-deploy that leaves the service ACTIVE
 * queues a sync check.
 */
export async function redeployService(deps: ProvisioningDeps, request: RedeployRequest): Promise<{ service: Service; run: ProvisioningRun }> {
  const key = request.idempotencyKey ?? null;
  if (key !== null && (key.length < 1 || key.length > 200)) throw new ValidationError([{ path: 'idempotencyKey', message: 'idempotencyKey must be 1 to 200 characters' }]);
  if (key) {
    const retried = await redeployOfKey(deps, request, key);
    if (retried) return retried;
  }
  try {
    const started = await deps.prisma.$transaction(async (tx) => {
      const service = await lockedService(tx, request);
      const active = await activeRun(tx, service.id);
      if (active) throw new InvalidStateError(`the service already has a ${active}: one run at a time`, service.status);
      await assertRedeployable(tx, service);
      const run = await tx.provisioningRun.create({ data: { ...redeployRun(deps, service, await productForRequest(tx, service, request.revision)), idempotencyKey: key } });
      const { product, ...plain } = service;
      return { service: plain, run, product };
    });
    await enqueueRun(deps, started.run, started.product);
    return { service: started.service, run: started.run };
  } catch (error) {
    // Two requests with one key raced: the loser answers with the winner's run.
    if ((error as { code?: string }).code === 'P2002' && key) {
      const retried = await redeployOfKey(deps, request, key);
      if (retried) return retried;
    }
    throw error;
  }
}

/** ACTIVE, or NEEDS_ATTENTION because its last re-deploy failed (a re-deploy is retried by another). */
async function assertRedeployable(tx: Prisma.TransactionClient, service: Service): Promise<void> {
  if (service.status === 'ACTIVE') return;
  if (service.status === 'NEEDS_ATTENTION') {
    const last = await tx.provisioningRun.findFirst({ where: { serviceId: service.id, checkMode: false }, orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }], select: { action: true } });
    if (last?.action === 'REDEPLOY') return;
  }
  throw new InvalidStateError(`only ACTIVE services are re-deployed (or one whose re-deploy failed); this one is ${service.status}`, service.status);
}

async function redeployOfKey(deps: ProvisioningDeps, request: RedeployRequest, key: string): Promise<{ service: Service; run: ProvisioningRun } | undefined> {
  const run = await deps.prisma.provisioningRun.findUnique({ where: { idempotencyKey: key }, include: { service: true } });
  if (!run) return undefined;
  if (run.action !== 'REDEPLOY' || run.serviceId !== request.serviceId || !run.service || (request.partnerId && run.partnerId !== request.partnerId)) {
    throw new ConflictError('this idempotencyKey was already used for a different request; choose a new key');
  }
  const { service, ...plain } = run;
  return { service, run: plain };
}
